/**
 * DuckDB sessions for the data plane. Every bulk path opens an in-memory instance, runs its SQL
 * and closes both the connection and the instance, so no native handle outlives the call.
 *
 * File paths are ours (an object's local path or a temp file), never user input, and table
 * functions such as read_csv take them as literals, so they are quoted with {@link sqlString}.
 * User values in queries are bound as parameters (query.ts), never pasted.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { createRequire } from 'node:module';
import { StoreError } from '../core/errors.ts';

export interface DuckOptions {
  /** Where DuckDB may spill when a working set outgrows memory. */
  tempDir?: string;
  /** DuckDB threads; default: DuckDB's own (the number of cores). */
  threads?: number;
}

/** Runs `fn` with a fresh in-memory DuckDB connection and always closes it. */
export async function withDuck<T>(fn: (conn: DuckDBConnection) => Promise<T>, options: DuckOptions = {}): Promise<T> {
  const settings: Record<string, string> = {};
  if (options.tempDir !== undefined) settings['temp_directory'] = options.tempDir;
  if (options.threads !== undefined) settings['threads'] = String(options.threads);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(':memory:', settings);
  } catch (cause) {
    throw new StoreError('Cannot start DuckDB for the data plane.', { action: 'Check that @duckdb/node-api is installed for this platform.', cause });
  }
  try {
    const conn = await instance.connect();
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** A SQL string literal: single quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier: double quotes doubled. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Reads one row of a query as plain JSON values (numbers as strings for BIGINT, as DuckDB gives them). */
export async function one(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  const reader = await conn.runAndReadAll(sql);
  return (reader.getRowObjectsJson()[0] ?? {}) as Record<string, unknown>;
}

/**
 * Frees a fetched chunk's data now instead of when V8 collects its wrapper: V8 does not see the
 * native bytes behind a chunk, so a streamed result's chunks piled up until a full GC (~35 MB per
 * 100,000 rows of the seed's CSV; bench/memory-breakdown.ts duck). The chunk must not be read after.
 * node-api has no public call for it: its binding's data_chunk_reset on the wrapped handle, and
 * nothing when a later version names these otherwise.
 */
export function releaseChunk(chunk: DuckDBDataChunk): void {
  const handle = (chunk as unknown as { chunk?: unknown }).chunk;
  const reset = chunkReset();
  if (handle !== undefined && reset) reset(handle);
}

let reset: ((c: unknown) => void) | null | undefined;

/**
 * The binding's data_chunk_reset, loaded from where node-api itself resolves its bindings: the
 * binding is node-api's pinned dependency, not ours, and a second copy of it would not know
 * node-api's handles. Null (releaseChunk does nothing) when it cannot be found.
 */
function chunkReset(): ((c: unknown) => void) | null {
  if (reset !== undefined) return reset;
  try {
    const fromApi = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
    const fn = (fromApi('@duckdb/node-bindings') as { data_chunk_reset?: unknown }).data_chunk_reset;
    reset = typeof fn === 'function' ? (fn as (c: unknown) => void) : null;
  } catch {
    reset = null;
  }
  return reset;
}

/**
 * A DuckDB value (as node-api's JS converter gives it) as Baton hands it out in rows: a BIGINT as a
 * number when it is safe, else as text; a timestamp as its ISO string.
 */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}
