/**
 * DuckDB sessions for the data plane. Every bulk path opens an in-memory instance, runs its SQL
 * and closes both the connection and the instance, so no native handle outlives the call.
 *
 * File paths are ours (an object's local path or a temp file), never user input, and table
 * functions such as read_csv take them as literals, so they are quoted with {@link sqlString}.
 * User values in queries are bound as parameters (query.ts), never pasted.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
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
