/**
 * SQL over the catalog: each catalog table is a DuckDB view over exactly the files its partitions
 * list (hive-partitioned, so `dt` and `hour` are columns), and the caller's parameters are bound
 * to a prepared statement, never pasted into the SQL.
 *
 * A table whose files cannot be read (a partition file that is not Parquet, or is gone) gets no
 * view: queries that do not use it still run, and one that does fails naming the table, the file
 * and why, instead of every query failing with DuckDB's raw error.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DuckDBTypeId, JSDuckDBValueConverter } from '@duckdb/node-api';
import { BatonError, ValidationError } from '../core/errors.ts';
import type { Catalog, CatalogTable } from './catalog/index.ts';
import { notParquet } from './catalog/parquet-check.ts';
import { plain, sqlIdent, sqlString, withDuck } from './duck.ts';
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
      const broken = await createViews(conn, catalog, tmp.dir);
      let reader;
      try {
        reader = await conn.runAndReadAll(sql, toDuck(params));
      } catch (cause) {
        if (cause instanceof BatonError) throw cause;
        const first = cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause);
        const used = [...broken].find(([name]) => new RegExp(`\\b${name}\\b`, 'i').test(first)) ?? [...broken].find(([name]) => new RegExp(`\\b${name}\\b`, 'i').test(sql));
        if (used) {
          throw new ValidationError(`The query uses catalog table "${used[0]}", which cannot be read: ${used[1]}`, {
            action: `Replace or remove that file and register the partition again (Catalog.putPartition checks its files are Parquet); queries over other tables still run.`,
            cause,
          });
        }
        const tables = (await catalog.listTables()).map((t) => t.name);
        throw new ValidationError(`The query failed: ${first}`, {
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

/** Makes a view per catalog table; returns the tables that could not be read, with why. */
async function createViews(conn: DuckDBConnection, catalog: Catalog, dir: string): Promise<Map<string, string>> {
  const broken = new Map<string, string>();
  let n = 0;
  for (const table of await catalog.listTables()) {
    const files: Array<{ key: string; path: string }> = [];
    try {
      for (const p of await catalog.partitions(table.name)) for (const key of p.files) files.push({ key, path: await inputPath(catalog.objects, { bucket: table.location.bucket, key }, dir, n++) });
      await conn.run(`CREATE VIEW ${sqlIdent(table.name)} AS ${viewBody(table, files.map((f) => f.path))}`);
    } catch (cause) {
      broken.set(table.name, await whyBroken(table, files, cause));
    }
  }
  return broken;
}

function viewBody(table: CatalogTable, paths: readonly string[]): string {
  return paths.length > 0
    ? `SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning=true, union_by_name=true${hiveTypes(table.partitionKeys)})`
    : `SELECT ${[...table.columns.map((c) => `NULL::${c.type} AS ${sqlIdent(c.name)}`), ...table.partitionKeys.map((k) => `NULL::${partitionType(k)} AS ${sqlIdent(k)}`)].join(', ')} WHERE false`;
}

/** Names the first file that is not Parquet, else says what failed. */
async function whyBroken(table: CatalogTable, files: ReadonlyArray<{ key: string; path: string }>, cause: unknown): Promise<string> {
  for (const f of files) {
    const why = await notParquet(f.path).catch(() => undefined);
    if (why) return `its file "${f.key}" in bucket "${table.location.bucket}" is not Parquet: ${why}.`;
  }
  return `${cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause)}`;
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
