/**
 * Query of one partition: a sort-key condition, order, limit and pagination, turned into a range
 * scan of the (tid, pk, sk) primary key. One prepared statement per query shape, made on first use.
 *
 * A page ends at `limit` items (at most `defaults.tables.maxQueryLimit`) or once it holds
 * `defaults.tables.maxQueryBytes` of items, as DynamoDB's 1 MB page; `lastEvaluatedKey` is given
 * only when more items may follow (one extra row is read to know), so the last page never comes
 * back empty. Callers should still loop until lastEvaluatedKey is absent, as on DynamoDB.
 */
import type Database from 'better-sqlite3';
import { defaults } from '../../../core/defaults.ts';
import { show, ValidationError } from '../../../core/errors.ts';
import type { Item, Key, QueryInput, QueryResult, ScanInput, SortCondition } from '../../../ports/tables.ts';
import { boundLimit, type Db } from '../db.ts';
import type { TableEntry } from './catalog.ts';
import { checkKeyValue, keyObject, keyValues } from '../../shared/tables/keys.ts';

type Value = string | number;

interface Row {
  pk: Value;
  sk: Value;
  item: string;
}

type Statement = Database.Statement<Value[], Row>;

const operators = ['eq', 'lt', 'lte', 'gt', 'gte', 'between', 'beginsWith'] as const;
type Operator = (typeof operators)[number];

const sqlOf: Record<Exclude<Operator, 'between' | 'beginsWith'>, string> = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * The smallest string greater than every string that starts with the prefix, in code point order
 * (which is UTF-8 byte order); undefined when there is none (a prefix of only U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // skip the surrogate range
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** Orders key values as the index does: numbers numerically, strings by UTF-8 bytes (not UTF-16 units). */
export function compareKeys(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

export class QueryRunner {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  run(t: TableEntry, input: QueryInput): QueryResult {
    if (input === null || typeof input !== 'object') throw new ValidationError(`Query on table "${t.name}" must be an object like { partition: ... }, not ${show(input)}.`);
    const pk = checkKeyValue(t, 'Query', 'partition', t.partitionKey, input.partition);
    const ascending = input.ascending !== false;
    const limit = this.limit(t, input.limit);
    const clauses: string[] = [];
    const params: Value[] = [t.id, pk];
    if (input.sort !== undefined) this.sortClause(t, input.sort, clauses, params);
    if (input.exclusiveStartKey !== undefined) {
      const start = keyValues(t, input.exclusiveStartKey, 'exclusiveStartKey');
      if (start.pk !== pk) throw new ValidationError(`Query on table "${t.name}": exclusiveStartKey is in partition ${show(start.pk)}, not the queried partition ${show(pk)}.`);
      clauses.push(ascending ? 'sk > ?' : 'sk < ?');
      params.push(start.sk);
    }
    const rows = this.statement(clauses, ascending).iterate(...params, limit + 1);
    return this.page(t, rows, limit);
  }

  /** Every item of the table in key order (pk, then sk), a page at a time. */
  scan(t: TableEntry, input: ScanInput = {}): QueryResult {
    const limit = this.limit(t, input.limit);
    if (input.exclusiveStartKey === undefined) return this.page(t, this.scanFirst().iterate(t.id, limit + 1), limit);
    const start = keyValues(t, input.exclusiveStartKey, 'exclusiveStartKey');
    return this.page(t, this.scanAfter().iterate(t.id, start.pk, start.pk, start.sk, limit + 1), limit);
  }

  private scanFirst(): Statement {
    return this.cached('scan', () => `SELECT pk, sk, item FROM table_items WHERE tid = ? ORDER BY pk, sk ${boundLimit}`);
  }

  private scanAfter(): Statement {
    return this.cached('scan-after', () => `SELECT pk, sk, item FROM table_items WHERE tid = ? AND (pk > ? OR (pk = ? AND sk > ?)) ORDER BY pk, sk ${boundLimit}`);
  }

  private cached(shape: string, sql: () => string): Statement {
    let stmt = this.statements.get(shape);
    if (!stmt) this.statements.set(shape, (stmt = this.db.prepare<Value[], Row>(sql())));
    return stmt;
  }

  private page(t: TableEntry, rows: IterableIterator<Row>, limit: number): QueryResult {
    const items: Item[] = [];
    let bytes = 0;
    let last: Row | undefined;
    let more = false;
    for (const row of rows) {
      if (items.length === limit || bytes >= defaults.tables.maxQueryBytes) {
        more = true;
        break;
      }
      items.push(JSON.parse(row.item) as Item);
      bytes += row.item.length;
      last = row;
    }
    rows.return?.(); // closes the statement's cursor when the loop ended early
    return more && last ? { items, lastEvaluatedKey: keyObject(t, { pk: last.pk, sk: last.sk }) as Key } : { items };
  }

  private limit(t: TableEntry, limit: number | undefined): number {
    if (limit === undefined) return defaults.tables.maxQueryLimit;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError(`Query on table "${t.name}": limit ${show(limit)} must be a whole number >= 1.`);
    return Math.min(limit, defaults.tables.maxQueryLimit);
  }

  private sortClause(t: TableEntry, sort: SortCondition, clauses: string[], params: Value[]): void {
    const where = `Query on table "${t.name}"`;
    if (!t.sortKey) throw new ValidationError(`${where} has a sort condition, but the table has no sort key.`, { action: 'Leave out sort, or declare the table with a sortKey.' });
    const attr = t.sortKey;
    const ops = sort !== null && typeof sort === 'object' ? Object.keys(sort) : [];
    const op = ops[0] as Operator | undefined;
    if (ops.length !== 1 || !op || !operators.includes(op)) {
      throw new ValidationError(`${where}: the sort condition ${show(sort)} must have exactly one of ${operators.join(', ')}.`);
    }
    const value = (sort as Record<string, unknown>)[op];
    const check = (v: unknown) => checkKeyValue(t, `Sort condition ${op}`, 'sort', attr, v);
    if (op === 'between') {
      if (!Array.isArray(value) || value.length !== 2) throw new ValidationError(`${where}: between needs [low, high], not ${show(value)}.`);
      const low = check(value[0]);
      const high = check(value[1]);
      if (compareKeys(low, high) > 0) throw new ValidationError(`${where}: between [${show(low)}, ${show(high)}] has its low bound above its high bound.`);
      clauses.push('sk >= ? AND sk <= ?');
      params.push(low, high);
    } else if (op === 'beginsWith') {
      if (attr.type !== 'string') throw new ValidationError(`${where}: beginsWith works on string sort keys, but "${attr.name}" is a number.`);
      const prefix = check(value) as string;
      const end = prefixEnd(prefix);
      clauses.push(end === undefined ? 'sk >= ?' : 'sk >= ? AND sk < ?');
      params.push(prefix, ...(end === undefined ? [] : [end]));
    } else {
      clauses.push(`sk ${sqlOf[op]} ?`);
      params.push(check(value));
    }
  }

  private statement(clauses: string[], ascending: boolean): Statement {
    const shape = `${clauses.join(' AND ')}|${ascending ? 'ASC' : 'DESC'}`;
    let stmt = this.statements.get(shape);
    if (!stmt) {
      const where = ['tid = ?', 'pk = ?', ...clauses].join(' AND ');
      stmt = this.db.prepare<Value[], Row>(`SELECT pk, sk, item FROM table_items WHERE ${where} ORDER BY sk ${ascending ? 'ASC' : 'DESC'} ${boundLimit}`);
      this.statements.set(shape, stmt);
    }
    return stmt;
  }
}
