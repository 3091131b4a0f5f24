/**
 * Durable stream positions in Baton's own DynamoDB table `<prefix>baton-stream-positions`
 * (created on first use, idempotently): one item per (table, consumer, shard) holding the last
 * committed SequenceNumber of that shard, zero-padded to 40 digits so DynamoDB's string order is
 * numeric order and a commit can refuse to go backwards in its condition.
 *
 *   consumer (S, partition)  "<physical table>#<consumer>"
 *   shard    (S, sort)       the shard id
 *   seq      (S)             the padded sequence number (for the forward-only condition)
 *   at       (S)             the sequence number as DynamoDB wrote it (GetShardIterator wants that)
 *
 * A consumer's positions are read once per store and then kept in memory with this store's own
 * commits (one engine reads a consumer at a time, as one Lambda event source mapping does).
 */
import { CreateTableCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../../core/errors.ts';
import type { AwsContext } from '../context.ts';
import { TableCatalog } from './catalog.ts';
import { dynamo, sdkName } from './sdk.ts';

/** Shard id -> last committed sequence number (decimal string). */
export type Point = Map<string, string>;

const width = 40;
export const pad = (seq: string) => seq.padStart(width, '0');

/** Compares two DynamoDB sequence numbers (decimal strings of up to 40 digits). */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class Positions {
  private ready: Promise<void> | undefined;
  private readonly cache = new Map<string, Promise<Point>>();
  private readonly table: string;

  constructor(
    private readonly ctx: AwsContext,
    private readonly catalog: TableCatalog,
  ) {
    this.table = ctx.names.baton('stream-positions');
  }

  /** The consumer's committed positions (a copy). */
  async get(physical: string, consumer: string): Promise<Point> {
    const id = `${physical}#${consumer}`;
    let p = this.cache.get(id);
    if (!p) {
      p = this.load(id);
      this.cache.set(id, p);
      p.catch(() => this.cache.delete(id));
    }
    return new Map(await p);
  }

  /** Moves the consumer's position forward in every shard where the point is further. */
  async commit(physical: string, consumer: string, point: Point): Promise<void> {
    const id = `${physical}#${consumer}`;
    const current = await this.get(physical, consumer);
    for (const [shard, seq] of point) {
      const had = current.get(shard);
      if (had !== undefined && compareSeq(had, seq) >= 0) continue;
      try {
        await dynamo(this.ctx, 'commit stream', `consumer "${consumer}"`, () =>
          this.ctx.clients.dynamodb.send(
            new UpdateItemCommand({
              TableName: this.table,
              Key: { consumer: { S: id }, shard: { S: shard } },
              UpdateExpression: 'SET seq = :s, #at = :at',
              ConditionExpression: 'attribute_not_exists(seq) OR seq < :s',
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: { ':s': { S: pad(seq) }, ':at': { S: seq } },
            }),
          ),
        );
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err; // another process went further: keep its position
      }
      (await this.cache.get(id))?.set(shard, seq);
    }
  }

  private async load(id: string): Promise<Point> {
    await this.ensure();
    const point: Point = new Map();
    let start: Record<string, { S: string }> | undefined;
    do {
      const out = await dynamo(this.ctx, 'read stream position', id, () =>
        this.ctx.clients.dynamodb.send(
          new QueryCommand({ TableName: this.table, KeyConditionExpression: 'consumer = :c', ExpressionAttributeValues: { ':c': { S: id } }, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
        ),
      );
      for (const item of out.Items ?? []) point.set(item.shard!.S!, item.at!.S!);
      start = out.LastEvaluatedKey as typeof start;
    } while (start);
    return point;
  }

  private ensure(): Promise<void> {
    this.ready ??= this.create().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async create(): Promise<void> {
    try {
      await dynamo(this.ctx, 'create', `table "${this.table}"`, () =>
        this.ctx.clients.dynamodb.send(
          new CreateTableCommand({
            TableName: this.table,
            AttributeDefinitions: [
              { AttributeName: 'consumer', AttributeType: 'S' },
              { AttributeName: 'shard', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'consumer', KeyType: 'HASH' },
              { AttributeName: 'shard', KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      );
    } catch (err) {
      if (sdkName(err) !== 'ResourceInUseException') throw err;
    }
    await this.catalog.waitActive('baton-stream-positions', this.table);
  }
}
