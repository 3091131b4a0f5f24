/**
 * The app's tables on DynamoDB: declare (CreateTable, or UpdateTable for a stream change), list,
 * and a cache of each table's key schema and stream, read from DescribeTable on first use, so an
 * item operation costs no extra request. A stream added or changed by another process is seen
 * after reopen (as on local).
 *
 * Keys never change on DynamoDB: a declare with other keys than the table has is refused, even
 * when the table is empty (local allows that while it holds no items).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  UpdateTableCommand,
  type AttributeDefinition,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { NotFoundError, StoreError, ValidationError } from '../../../core/errors.ts';
import type { KeyType, StreamViewType, TableConfig } from '../../../ports/tables.ts';
import { describeKeys, sameKeys, validateConfig } from '../../shared/tables/config.ts';
import type { TableShape } from '../../shared/tables/shape.ts';
import type { AwsContext } from '../context.ts';
import type { BatonTable } from '../names.ts';
import { dynamo, sdkName, sleep } from './sdk.ts';

/** A declared table as the store works with it. */
export interface AwsTable extends TableShape {
  readonly physical: string;
  readonly config: TableConfig;
  /** Absent: the table has no stream. */
  readonly viewType: StreamViewType | undefined;
  readonly streamArn: string | undefined;
}

/**
 * Baton's own tables, left out of list() (a record, so a new BatonTable cannot be forgotten here):
 * 'leases' is the runtime's (runtime/lease/table.ts), declared through this store.
 */
const hidden: Record<BatonTable, true> = { runs: true, 'run-logs': true, 'run-fns': true, 'run-cancels': true, jobs: true, 'job-steps': true, maps: true, 'map-items': true, 'stream-positions': true, 'queue-configs': true, leases: true };
const batonTables = Object.keys(hidden) as BatonTable[];

const attrType = (t: KeyType) => (t === 'string' ? 'S' : 'N');

/** The table's config as DynamoDB describes it. */
export function configOf(name: string, d: TableDescription): TableConfig {
  const types = new Map((d.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType === 'N' ? 'number' : 'string'] as const));
  const key = (role: 'HASH' | 'RANGE') => {
    const k = d.KeySchema?.find((e) => e.KeyType === role);
    return k?.AttributeName ? { name: k.AttributeName, type: (types.get(k.AttributeName) ?? 'string') as KeyType } : undefined;
  };
  const partitionKey = key('HASH');
  if (!partitionKey) throw new StoreError(`DynamoDB describes table "${name}" without a partition key.`);
  const sortKey = key('RANGE');
  const spec = d.StreamSpecification;
  const stream = spec?.StreamEnabled && spec.StreamViewType ? { viewType: spec.StreamViewType as StreamViewType } : undefined;
  return { name, partitionKey, ...(sortKey ? { sortKey } : {}), ...(stream ? { stream } : {}) };
}

export function notDeclared(name: string): NotFoundError {
  return new NotFoundError(`Table ${JSON.stringify(name)} is not declared.`, {
    action: `Declare it in baton.config.ts (table(${JSON.stringify(name)}, { partitionKey: ... })) so it is provisioned, or call tables.declare first.`,
  });
}

export class TableCatalog {
  private readonly cache = new Map<string, AwsTable>();

  constructor(private readonly ctx: AwsContext) {}

  /** Creates the table, or checks its keys and brings its stream in line; waits until it is ACTIVE. */
  async declare(input: TableConfig): Promise<void> {
    const config = validateConfig(input);
    const physical = this.ctx.names.table(config.name);
    let d = await this.create(config, physical);
    if (!d) {
      d = await this.waitActive(config.name, physical);
      const existing = configOf(config.name, d);
      if (!sameKeys(existing, config)) {
        throw new ValidationError(`Table "${config.name}" exists with ${describeKeys(existing)}; DynamoDB cannot change it to ${describeKeys(config)}.`, {
          action: 'Keep the original keys, or declare a table with a new name and copy the items over.',
        });
      }
      d = await this.alignStream(config, physical, existing.stream?.viewType, d);
    }
    this.cache.set(config.name, this.entry(config.name, physical, d));
  }

  async list(): Promise<TableConfig[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const out = await dynamo(this.ctx, 'list tables', 'tables', () => this.ctx.clients.dynamodb.send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) })));
      for (const physical of out.TableNames ?? []) {
        const name = this.ctx.names.strip(physical);
        if (name !== undefined && !batonTables.some((b) => this.ctx.names.baton(b) === physical)) names.push(name);
      }
      start = out.LastEvaluatedTableName;
    } while (start);
    const configs: TableConfig[] = [];
    for (const name of names.sort()) {
      const d = await this.describe(name, this.ctx.names.table(name));
      if (d) configs.push(configOf(name, d));
    }
    return configs;
  }

  /** The table, or a NotFoundError saying how to declare it. */
  async get(name: string): Promise<AwsTable> {
    const hit = this.cache.get(name);
    if (hit) return hit;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,255}$/.test(name)) throw notDeclared(String(name));
    const physical = this.ctx.names.table(name);
    const d = await this.describe(name, physical);
    if (!d) throw notDeclared(name);
    const found = this.entry(name, physical, d);
    this.cache.set(name, found);
    return found;
  }

  private entry(name: string, physical: string, d: TableDescription): AwsTable {
    const config = configOf(name, d);
    return { name, physical, config, partitionKey: config.partitionKey, sortKey: config.sortKey, viewType: config.stream?.viewType, streamArn: config.stream ? d.LatestStreamArn : undefined };
  }

  /** The new table's description once ACTIVE, or undefined when it existed already. */
  private async create(config: TableConfig, physical: string): Promise<TableDescription | undefined> {
    const keys = [config.partitionKey, ...(config.sortKey ? [config.sortKey] : [])];
    const AttributeDefinitions: AttributeDefinition[] = keys.map((k) => ({ AttributeName: k.name, AttributeType: attrType(k.type) }));
    const KeySchema: KeySchemaElement[] = keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' }));
    try {
      await dynamo(this.ctx, 'declare', `table "${config.name}"`, () =>
        this.ctx.clients.dynamodb.send(
          new CreateTableCommand({
            TableName: physical,
            AttributeDefinitions,
            KeySchema,
            BillingMode: 'PAY_PER_REQUEST',
            ...(config.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: config.stream.viewType } } : {}),
          }),
        ),
      );
    } catch (err) {
      if (sdkName(err) === 'ResourceInUseException') return undefined;
      throw err;
    }
    return this.waitActive(config.name, physical);
  }

  /**
   * DynamoDB changes a stream's view type only by disabling the stream and enabling a new one (with
   * a new ARN: consumers start at its beginning; the old stream stays readable for 24 h elsewhere).
   */
  private async alignStream(config: TableConfig, physical: string, current: StreamViewType | undefined, d: TableDescription): Promise<TableDescription> {
    const wanted = config.stream?.viewType;
    if (wanted === current) return d;
    const update = (spec: { StreamEnabled: boolean; StreamViewType?: StreamViewType }) =>
      dynamo(this.ctx, 'declare', `table "${config.name}"`, () => this.ctx.clients.dynamodb.send(new UpdateTableCommand({ TableName: physical, StreamSpecification: spec })));
    if (current !== undefined) {
      await update({ StreamEnabled: false });
      d = await this.waitActive(config.name, physical);
    }
    if (wanted !== undefined) {
      await update({ StreamEnabled: true, StreamViewType: wanted });
      d = await this.waitActive(config.name, physical);
    }
    return d;
  }

  private async describe(name: string, physical: string): Promise<TableDescription | undefined> {
    try {
      const out = await dynamo(this.ctx, 'describe', `table "${name}"`, () => this.ctx.clients.dynamodb.send(new DescribeTableCommand({ TableName: physical })));
      return out.Table;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Polls DescribeTable until the table is ACTIVE (seconds on AWS, at once on DynamoDB Local). */
  async waitActive(name: string, physical: string, timeoutMs = 300_000): Promise<TableDescription> {
    const until = Date.now() + timeoutMs;
    for (let pause = 50; ; pause = Math.min(pause * 2, 2000)) {
      const d = await this.describe(name, physical);
      if (d?.TableStatus === 'ACTIVE') return d;
      if (Date.now() > until) throw new StoreError(`Table "${name}" (${physical}) did not become ACTIVE within ${timeoutMs / 1000} s (status ${d?.TableStatus ?? 'absent'}).`);
      await sleep(pause);
    }
  }
}
