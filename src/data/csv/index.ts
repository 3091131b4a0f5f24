/**
 * CSV ingestion (seeds 001 and 004): a large CSV object, cleaned and coerced in DuckDB (stage.ts),
 * either written as one Parquet object or handed out in batches of row objects for a caller to
 * send to a queue or a table. Rejected rows (unreadable lines and values that do not fit the
 * schema) go to a JSON-lines object with their line numbers and reasons; nothing aborts the run.
 */
import { join } from 'node:path';
import { DuckDBInstance, JSDuckDBValueConverter } from '@duckdb/node-api';
import type { ObjectHead, ObjectStore } from '../../ports/objects.ts';
import { sqlString, withDuck } from '../duck.ts';
import { inputPath, putFile, scratch, type ObjectRef } from '../files.ts';
import { readCsv } from './read.ts';
import type { CsvReadOptions } from './stage.ts';

export type { CleaningOptions } from './clean.ts';
export type { CsvReadOptions } from './stage.ts';

export interface CsvIngestOptions extends CsvReadOptions {
  source: ObjectRef;
  /** Where the rejected rows go (JSON lines: line, reasons, raw); only written when some are rejected. */
  rejected: ObjectRef;
}

export interface CsvCounts {
  /** Data rows read (the header not counted). */
  read: number;
  valid: number;
  rejected: number;
  rejectedObject?: ObjectHead;
}

/** Cleans a CSV object into a Parquet object (typed columns, zstd) and returns the counts. */
export async function csvToParquet(objects: ObjectStore, options: CsvIngestOptions & { output: ObjectRef }): Promise<CsvCounts & { output: ObjectHead }> {
  const tmp = await scratch();
  try {
    const path = await inputPath(objects, options.source, tmp.dir);
    const parquet = join(tmp.dir, 'out.parquet');
    const rejectedPath = join(tmp.dir, 'rejected.jsonl');
    const where = `${options.source.bucket}/${options.source.key}`;
    const c = await withDuck((conn) => readCsv(conn, path, where, options, { sink: (select) => `COPY (${select}) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd)`, dir: tmp.dir, rejectedPath }), { tempDir: join(tmp.dir, 'spill') });
    const output = await putFile(objects, options.output, parquet, 'application/vnd.apache.parquet');
    const rejectedObject = c.rejected > 0 ? await putFile(objects, options.rejected, rejectedPath, 'application/x-ndjson') : undefined;
    return { ...c, output, ...(rejectedObject ? { rejectedObject } : {}) };
  } finally {
    await tmp.dispose();
  }
}

/**
 * Cleans a CSV object and yields its valid rows in batches (plain objects; BIGINT as number when
 * it fits, timestamps as ISO strings), for a caller to send to a queue or a table. The rejected
 * rows are written before the first batch; `onCounts` receives the counts then. Breaking out of
 * the loop closes DuckDB.
 */
export async function* csvBatches(objects: ObjectStore, options: CsvIngestOptions & { batchSize?: number; onCounts?: (c: CsvCounts) => void }): AsyncGenerator<Array<Record<string, unknown>>> {
  const batchSize = options.batchSize ?? 500;
  const tmp = await scratch();
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: join(tmp.dir, 'spill') });
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    const path = await inputPath(objects, options.source, tmp.dir);
    // The valid rows are kept in a table (in file order) so the counts and rejected rows come first.
    const rejectedPath = join(tmp.dir, 'rejected.jsonl');
    const c = await readCsv(conn, path, `${options.source.bucket}/${options.source.key}`, options, { sink: (select) => `CREATE TEMP TABLE valid AS ${select}`, dir: tmp.dir, rejectedPath });
    const rejectedObject = c.rejected > 0 ? await putFile(objects, options.rejected, rejectedPath, 'application/x-ndjson') : undefined;
    options.onCounts?.({ ...c, ...(rejectedObject ? { rejectedObject } : {}) });
    const result = await conn.stream(`SELECT * FROM valid`);
    const names = result.columnNames();
    let batch: Array<Record<string, unknown>> = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const row of chunk.convertRows(JSDuckDBValueConverter)) {
        batch.push(Object.fromEntries(names.map((n, i) => [n, plain(row[i])])));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    conn.closeSync();
    instance.closeSync();
    await tmp.dispose();
  }
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  return v;
}
