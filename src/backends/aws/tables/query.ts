/**
 * Query of one partition as DynamoDB's Query (strongly consistent), checked and worded as on local.
 * One more item than the limit is asked for, so `lastEvaluatedKey` is given only when more items
 * follow (as on local) and the last page is never empty; when DynamoDB ends a page at 1 MB before
 * the limit, its own LastEvaluatedKey is passed on.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { defaults } from '../../../core/defaults.ts';
import { show, ValidationError } from '../../../core/errors.ts';
import type { Item, Key, QueryInput, QueryResult, ScanInput, SortCondition } from '../../../ports/tables.ts';
import { checkKeyValue, keyObject, keyValues } from '../../shared/tables/keys.ts';
import type { AwsContext } from '../context.ts';
import type { AwsTable } from './catalog.ts';
import { fromAttributes, keyAttributes } from './codec.ts';
import { Placeholders } from './expressions.ts';
import { dynamo } from './sdk.ts';

const operators = ['eq', 'lt', 'lte', 'gt', 'gte', 'between', 'beginsWith'] as const;
type Operator = (typeof operators)[number];
const comparison: Record<Exclude<Operator, 'between' | 'beginsWith'>, string> = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/** Orders key values as DynamoDB does: numbers numerically, strings by UTF-8 bytes. */
function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

function sortClause(t: AwsTable, sort: SortCondition, p: Placeholders): string {
  const where = `Query on table "${t.name}"`;
  if (!t.sortKey) throw new ValidationError(`${where} has a sort condition, but the table has no sort key.`, { action: 'Leave out sort, or declare the table with a sortKey.' });
  const attr = t.sortKey;
  const ops = sort !== null && typeof sort === 'object' ? Object.keys(sort) : [];
  const op = ops[0] as Operator | undefined;
  if (ops.length !== 1 || !op || !operators.includes(op)) throw new ValidationError(`${where}: the sort condition ${show(sort)} must have exactly one of ${operators.join(', ')}.`);
  const value = (sort as Record<string, unknown>)[op];
  const check = (v: unknown) => checkKeyValue(t, `Sort condition ${op}`, 'sort', attr, v);
  const sk = p.name(attr.name);
  if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2) throw new ValidationError(`${where}: between needs [low, high], not ${show(value)}.`);
    const low = check(value[0]);
    const high = check(value[1]);
    if (compareKeys(low, high) > 0) throw new ValidationError(`${where}: between [${show(low)}, ${show(high)}] has its low bound above its high bound.`);
    return `${sk} BETWEEN ${p.value(low)} AND ${p.value(high)}`;
  }
  if (op === 'beginsWith') {
    if (attr.type !== 'string') throw new ValidationError(`${where}: beginsWith works on string sort keys, but "${attr.name}" is a number.`);
    return `begins_with(${sk}, ${p.value(check(value))})`;
  }
  return `${sk} ${comparison[op]} ${p.value(check(value))}`;
}

function queryLimit(t: AwsTable, limit: number | undefined): number {
  if (limit === undefined) return defaults.tables.maxQueryLimit;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError(`Query on table "${t.name}": limit ${show(limit)} must be a whole number >= 1.`);
  return Math.min(limit, defaults.tables.maxQueryLimit);
}

export async function runQuery(ctx: AwsContext, t: AwsTable, input: QueryInput): Promise<QueryResult> {
  if (input === null || typeof input !== 'object') throw new ValidationError(`Query on table "${t.name}" must be an object like { partition: ... }, not ${show(input)}.`);
  const pk = checkKeyValue(t, 'Query', 'partition', t.partitionKey, input.partition);
  const limit = queryLimit(t, input.limit);
  const p = new Placeholders();
  const clauses = [`${p.name(t.partitionKey.name)} = ${p.value(pk)}`];
  if (input.sort !== undefined) clauses.push(sortClause(t, input.sort, p));
  let start: Key | undefined;
  if (input.exclusiveStartKey !== undefined) {
    const kv = keyValues(t, input.exclusiveStartKey, 'exclusiveStartKey');
    if (kv.pk !== pk) throw new ValidationError(`Query on table "${t.name}": exclusiveStartKey is in partition ${show(kv.pk)}, not the queried partition ${show(pk)}.`);
    start = keyObject(t, kv);
  }
  const out = await dynamo(ctx, 'query', `table "${t.name}"`, () =>
    ctx.clients.dynamodb.send(
      new QueryCommand({
        TableName: t.physical,
        KeyConditionExpression: clauses.join(' AND '),
        ScanIndexForward: input.ascending !== false,
        Limit: limit + 1,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: keyAttributes(start) } : {}),
        ...p.fields(),
      }),
    ),
  );
  const items: Item[] = (out.Items ?? []).map(fromAttributes);
  if (items.length > limit) {
    const page = items.slice(0, limit);
    const last = page.at(-1)!;
    return { items: page, lastEvaluatedKey: keyOf(t, last) };
  }
  return out.LastEvaluatedKey ? { items, lastEvaluatedKey: keyOf(t, fromAttributes(out.LastEvaluatedKey)) } : { items };
}

/** Every item of the table, a page at a time (Scan, strongly consistent), paged as runQuery pages. */
export async function runScan(ctx: AwsContext, t: AwsTable, input: ScanInput): Promise<QueryResult> {
  const limit = queryLimit(t, input.limit);
  const start = input.exclusiveStartKey === undefined ? undefined : keyObject(t, keyValues(t, input.exclusiveStartKey, 'exclusiveStartKey'));
  const out = await dynamo(ctx, 'scan', `table "${t.name}"`, () =>
    ctx.clients.dynamodb.send(new ScanCommand({ TableName: t.physical, Limit: limit + 1, ConsistentRead: true, ...(start ? { ExclusiveStartKey: keyAttributes(start) } : {}) })),
  );
  const items: Item[] = (out.Items ?? []).map(fromAttributes);
  if (items.length > limit) {
    const page = items.slice(0, limit);
    return { items: page, lastEvaluatedKey: keyOf(t, page.at(-1)!) };
  }
  return out.LastEvaluatedKey ? { items, lastEvaluatedKey: keyOf(t, fromAttributes(out.LastEvaluatedKey)) } : { items };
}

function keyOf(t: AwsTable, item: Item): Key {
  const key: Key = { [t.partitionKey.name]: item[t.partitionKey.name] as string | number };
  if (t.sortKey) key[t.sortKey.name] = item[t.sortKey.name] as string | number;
  return key;
}
