/**
 * SQL over the catalog: each catalog table is a DuckDB view over exactly the files its partitions
 * list (hive-partitioned, so `dt` and `hour` are columns), and the caller's parameters are bound
 * to a prepared statement, never pasted into the SQL.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DuckDBTypeId, JSDuckDBValueConverter } from '@duckdb/node-api';
import { BatonError, ValidationError } from '../core/errors.ts';
import type { Catalog } from './catalog/index.ts';
import { sqlIdent, sqlString, withDuck } from './duck.ts';
import { inputPath, scratch } from './files.ts';

export type QueryParams = readonly unknown[] | Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** Runs one SQL statement over the catalog's tables. `?`/`$1` take an array, `$name` an object. */
export async function query(catalog: Catalog, sql: string, params: QueryParams = []): Promise<QueryResult> {
  const tmp = await scratch();
  try {
    return await withDuck(async (conn) => {
      await createViews(conn, catalog, tmp.dir);
      let reader;
      try {
        reader = await conn.runAndReadAll(sql, toDuck(params));
      } catch (cause) {
        if (cause instanceof BatonError) throw cause;
        const tables = (await catalog.listTables()).map((t) => t.name);
        throw new ValidationError(`The query failed: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, {
          action: tables.length ? `Tables: ${tables.join(', ')}; bind values with ? or $name.` : 'The catalog has no tables yet; compaction registers them.',
          cause,
        });
      }
      const columns = reader.columnNames();
      const dates = new Set(reader.columnTypes().flatMap((t, i) => (t.typeId === DuckDBTypeId.DATE ? [columns[i]] : [])));
      const rows = reader.convertRowObjects(JSDuckDBValueConverter).map((r) => Object.fromEntries(columns.map((c) => [c, dates.has(c) && r[c] instanceof Date ? r[c].toISOString().slice(0, 10) : plain(r[c])])));
      return { columns, rows };
    });
  } finally {
    await tmp.dispose();
  }
}

async function createViews(conn: DuckDBConnection, catalog: Catalog, dir: string): Promise<void> {
  let n = 0;
  for (const table of await catalog.listTables()) {
    const partitions = await catalog.partitions(table.name);
    const paths: string[] = [];
    for (const p of partitions) for (const key of p.files) paths.push(await inputPath(catalog.objects, { bucket: table.location.bucket, key }, dir, n++));
    const body =
      paths.length > 0
        ? `SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning=true, union_by_name=true${hiveTypes(table.partitionKeys)})`
        : `SELECT ${[...table.columns.map((c) => `NULL::${c.type} AS ${sqlIdent(c.name)}`), ...table.partitionKeys.map((k) => `NULL::${partitionType(k)} AS ${sqlIdent(k)}`)].join(', ')} WHERE false`;
    await conn.run(`CREATE VIEW ${sqlIdent(table.name)} AS ${body}`);
  }
}

/** dt is a DATE and hour an INTEGER; other partition keys stay text. */
function partitionType(key: string): string {
  return key === 'dt' ? 'DATE' : key === 'hour' ? 'INTEGER' : 'VARCHAR';
}

function hiveTypes(keys: readonly string[]): string {
  return keys.length ? `, hive_types={${keys.map((k) => `${sqlString(k)}: ${partitionType(k)}`).join(', ')}}` : '';
}

function toDuck(params: QueryParams): DuckDBValue[] | Record<string, DuckDBValue> {
  const conv = (v: unknown): DuckDBValue => {
    if (v === undefined) return null;
    if (v instanceof Date) return v.toISOString();
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
    throw new ValidationError(`Query parameter ${JSON.stringify(v)} is not a string, number, boolean, bigint, Date or null.`, { action: 'Pass scalar values; build lists in SQL.' });
  };
  return Array.isArray(params) ? params.map(conv) : Object.fromEntries(Object.entries(params).map(([k, v]) => [k, conv(v)]));
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}
