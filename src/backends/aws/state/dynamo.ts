/**
 * Small DynamoDB helpers shared by Baton's own state tables (runs, jobs, map ledger): expression
 * names and values, paged queries, BatchWriteItem in chunks with its unprocessed items sent again,
 * and conditional updates sent as TransactWriteItems in chunks with a per-item fallback. Every
 * SDK call goes through `call` (errors.ts), so failures arrive as Baton's typed errors.
 */
import { BatchWriteItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue, type QueryCommandInput, type Update, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionFailedError, StoreError } from '../../../core/errors.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';

export type Item = Record<string, AttributeValue>;

/** Numbers as fixed-width strings, so a string sort key orders them (epoch ms fit in 16 digits). */
export function pad(n: number): string {
  return String(Math.max(0, Math.floor(n))).padStart(16, '0');
}

let sequence = 0;
/**
 * A sort key ordering records by `at` and then by creation in this process: `at`, then the real
 * time and a counter, so records made in the same millisecond of Baton's (possibly fake) clock
 * keep the order they were made in.
 */
export function orderKey(at: number): string {
  return `${pad(at)}.${pad(Date.now())}.${String(++sequence).padStart(10, '0')}`;
}

export const toItem = (value: Record<string, unknown>): Item => marshall(value, { removeUndefinedValues: true, convertEmptyValues: false });
export const fromItem = <T>(item: Item): T => unmarshall(item) as T;

/** Builds ExpressionAttributeNames/Values: every attribute name goes through a placeholder (many are reserved words). */
export class Expr {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private n = 0;

  name(attr: string): string {
    const key = `#${attr.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[key] = attr;
    return key;
  }
  value(v: unknown): string {
    const key = `:v${this.n++}`;
    this.values[key] = v;
    return key;
  }
  /** `#attr = :v` */
  eq(attr: string, v: unknown): string {
    return `${this.name(attr)} = ${this.value(v)}`;
  }
  params(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item } {
    return {
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: marshall(this.values, { removeUndefinedValues: true }) } : {}),
    };
  }
}

/** An UpdateExpression from SET pairs, REMOVE names and ADD pairs. */
export function updateExpression(e: Expr, set: Record<string, unknown>, remove: readonly string[] = [], add: Record<string, number> = {}): string {
  const parts: string[] = [];
  const sets = Object.entries(set).filter(([, v]) => v !== undefined);
  if (sets.length) parts.push(`SET ${sets.map(([k, v]) => e.eq(k, v)).join(', ')}`);
  if (remove.length) parts.push(`REMOVE ${remove.map((k) => e.name(k)).join(', ')}`);
  const adds = Object.entries(add);
  if (adds.length) parts.push(`ADD ${adds.map(([k, v]) => `${e.name(k)} ${e.value(v)}`).join(', ')}`);
  return parts.join(' ');
}

/** Runs a query page by page, handing each page's items on, until `enough` says stop or none are left. */
export async function queryPages(ctx: AwsContext, resource: string, input: QueryCommandInput, onPage: (items: Item[]) => boolean | void): Promise<void> {
  let start: Item | undefined;
  do {
    const out = await call(ctx.at('dynamodb', 'query', resource), () => ctx.clients.dynamodb.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) })));
    if (onPage((out.Items ?? []) as Item[]) === true) return;
    start = out.LastEvaluatedKey as Item | undefined;
  } while (start);
}

/** How many items a query matches (Select COUNT, every page). */
export async function queryCount(ctx: AwsContext, resource: string, input: QueryCommandInput): Promise<number> {
  let start: Item | undefined;
  let total = 0;
  do {
    const out = await call(ctx.at('dynamodb', 'count', resource), () => ctx.clients.dynamodb.send(new QueryCommand({ ...input, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) })));
    total += out.Count ?? 0;
    start = out.LastEvaluatedKey as Item | undefined;
  } while (start);
  return total;
}

function chunks<T>(all: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

/** Runs `fn` over `all` with at most `width` at once. */
async function eachLimited<T>(all: readonly T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, all.length) }, async () => {
    while (next < all.length) await fn(all[next++]!);
  }));
}

/**
 * Puts and deletes on one table through BatchWriteItem, 25 requests per call (its maximum), a few
 * calls at once; unprocessed items (throttling) are sent again after a growing pause.
 */
export async function batchWrite(ctx: AwsContext, table: string, requests: readonly WriteRequest[]): Promise<void> {
  await eachLimited(chunks(requests, 25), 4, async (chunk) => {
    let pending: WriteRequest[] = chunk;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 8) throw new StoreError(`dynamodb batch write to table "${table}": ${pending.length} items were still unprocessed after ${attempt} tries.`, { action: 'The table is throttled; retry later or raise its capacity.' });
      if (attempt) await sleep(Math.min(2000, 50 * 2 ** attempt));
      const out = await call(ctx.at('dynamodb', 'batch write', `table "${table}"`), () => ctx.clients.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } })));
      pending = out.UnprocessedItems?.[table] ?? [];
    }
  });
}

/**
 * Conditional updates of items of one table, as TransactWriteItems of up to 100 (its maximum): one
 * call applies a whole chunk when every condition holds. When one does not (another writer got
 * there first), that chunk is applied item by item and the items whose condition failed are left
 * alone. Returns, for each update in order, whether it was applied.
 */
export async function updateEach(ctx: AwsContext, table: string, updates: readonly Update[]): Promise<boolean[]> {
  const applied: boolean[] = new Array<boolean>(updates.length).fill(false);
  const indexed = updates.map((u, i) => ({ u, i }));
  await eachLimited(chunks(indexed, 100), 2, async (chunk) => {
    try {
      await call(ctx.at('dynamodb', 'transact write', `table "${table}"`), () => ctx.clients.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: chunk.map(({ u }) => ({ Update: u })) })));
      for (const { i } of chunk) applied[i] = true;
    } catch (err) {
      // A condition that did not hold, or a conflict with another transaction on one of the items.
      const cancelled = err instanceof ConditionFailedError || (err as { cause?: { name?: string } }).cause?.name === 'TransactionCanceledException';
      if (!cancelled) throw err;
      await eachLimited(chunk, 8, async ({ u, i }) => {
        try {
          await call(ctx.at('dynamodb', 'update', `table "${table}"`), () => ctx.clients.dynamodb.send(new UpdateItemCommand(u)));
          applied[i] = true;
        } catch (e) {
          if (!(e instanceof ConditionFailedError)) throw e;
        }
      });
    }
  });
  return applied;
}

/** The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure: ALL_OLD), if any. */
export function itemOfFailedCondition(err: ConditionFailedError): Item | undefined {
  const cause = err.cause as { Item?: Item; CancellationReasons?: Array<{ Code?: string; Item?: Item }> } | undefined;
  if (cause?.Item) return cause.Item;
  return cause?.CancellationReasons?.find((r) => r.Code === 'ConditionalCheckFailed')?.Item;
}
