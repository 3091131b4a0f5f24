/**
 * Baton's own DynamoDB tables (run history, job store, map ledger): their keys and indexes, and
 * `ensure`, which creates a table on first use. Every port operation is a query on a key or an
 * index, never a scan of runs, jobs or items (the one Scan reads run-fns, one item per function).
 *
 *   runs       id                  GSIs by-all (all, ord), by-fn (fn, ord), by-status (status, ord):
 *                                  ord = startedAt + creation order, so newest-first listing and
 *                                  `before` paging are key conditions
 *   run-logs   (runId, seq)        seq numbered from the run's logCount, so lines keep write order
 *   run-fns    fn                  the function names that have runs (per-function retention)
 *   run-cancels (all, runId)       cancel requests of runs (one partition 'cancel': the engine's
 *                                  poll is one Query; runs/cancel.ts)
 *   jobs       id                  GSIs by-all (all, ord), by-fn (fn, ord) for listing newest
 *                                  first; due (status, dueKey): dueKey = wakeAt + ord is set only
 *                                  while queued, so the index holds exactly the queued jobs
 *   job-steps  (jobId, position)   the step journal in position order
 *   maps       id                  GSI by-all (all, ord) for listing newest first
 *   map-items  (mapId, idx)        GSI by-status (mapStatus = mapId#status, idx): take, recover,
 *                                  redrive, counts and paging read one status lowest index first
 *
 * Creation: DescribeTable, then CreateTable (on-demand capacity) if missing, then wait until the
 * table and its indexes are ACTIVE. One creation per table is in flight per process; a failed one
 * is forgotten so the next use tries again. All indexes project ALL attributes.
 */
import { CreateTableCommand, DescribeTableCommand, type AttributeDefinition, type GlobalSecondaryIndex, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, StoreError } from '../../../core/errors.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { specs, type Attr, type TableSpec } from './specs.ts';

export { specs };
export type StateTable = keyof typeof specs;

function keySchema(key: readonly [Attr, Attr?]): KeySchemaElement[] {
  return [{ AttributeName: key[0][0], KeyType: 'HASH' }, ...(key[1] ? [{ AttributeName: key[1][0], KeyType: 'RANGE' as const }] : [])];
}

function createInput(name: string, spec: TableSpec) {
  const attrs = new Map<string, 'S' | 'N'>();
  const note = (k: readonly [Attr, Attr?]) => k.forEach((a) => a && attrs.set(a[0], a[1]));
  note(spec.key);
  const indexes: GlobalSecondaryIndex[] = Object.entries(spec.indexes ?? {}).map(([IndexName, k]) => {
    note(k);
    return { IndexName, KeySchema: keySchema(k), Projection: { ProjectionType: 'ALL' } };
  });
  const AttributeDefinitions: AttributeDefinition[] = [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
  return { TableName: name, BillingMode: 'PAY_PER_REQUEST' as const, KeySchema: keySchema(spec.key), AttributeDefinitions, ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}) };
}

const inFlight = new Map<string, Promise<void>>();

/** The physical name of a state table, created first if this process has not yet seen it ready. */
export async function ensure(ctx: AwsContext, table: StateTable): Promise<string> {
  const name = ctx.names.baton(table);
  const key = `${ctx.clients.endpoint('dynamodb') ?? ctx.region}|${name}`;
  let ready = inFlight.get(key);
  if (!ready) {
    ready = create(ctx, name, specs[table]);
    inFlight.set(key, ready);
    ready.catch(() => inFlight.delete(key));
  }
  await ready;
  return name;
}

async function status(ctx: AwsContext, name: string): Promise<'missing' | 'active' | 'pending'> {
  try {
    const out = await call(ctx.at('dynamodb', 'describe', `table "${name}"`), () => ctx.clients.dynamodb.send(new DescribeTableCommand({ TableName: name })));
    const t = out.Table;
    const active = t?.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    return active ? 'active' : 'pending';
  } catch (err) {
    if (err instanceof NotFoundError) return 'missing';
    throw err;
  }
}

async function create(ctx: AwsContext, name: string, spec: TableSpec): Promise<void> {
  let s = await status(ctx, name);
  if (s === 'missing') {
    try {
      await call(ctx.at('dynamodb', 'create', `table "${name}"`), () => ctx.clients.dynamodb.send(new CreateTableCommand(createInput(name, spec))));
    } catch (err) {
      // Another process created it first: wait for it like ours.
      if ((err as { cause?: { name?: string } }).cause?.name !== 'ResourceInUseException') throw err;
    }
    s = 'pending';
  }
  for (let waited = 0, pause = 100; s !== 'active'; waited += pause, pause = Math.min(2000, pause * 2)) {
    if (waited > 300_000) throw new StoreError(`dynamodb table "${name}" did not become ACTIVE within 5 minutes.`, { action: 'Check the table in the DynamoDB console; delete it if its creation failed.' });
    await sleep(pause);
    s = await status(ctx, name);
  }
}
