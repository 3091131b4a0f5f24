/**
 * CSV ingestion (seeds 001 and 004): a large CSV object, cleaned and coerced in DuckDB (stage.ts),
 * either written as one Parquet object or handed out in batches of row objects (or of their JSON
 * texts) for a caller to send to a queue or a table. Rejected rows (unreadable lines and values that do not fit the
 * schema) go to a JSON-lines object with their line numbers and reasons; nothing aborts the run.
 */
import { join } from 'node:path';
import { DuckDBInstance, JSDuckDBValueConverter, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import type { ObjectHead, ObjectStore } from '../../ports/objects.ts';
import { plain, releaseChunk, sqlIdent, sqlString, withDuck } from '../duck.ts';
import { inputPath, isGzip, putFile, scratch, type ObjectRef } from '../files.ts';
import type { CheckedCounts } from '../standardize/stage.ts';
import { readCsv, readCsvOnce, type ReadOnce } from './read.ts';
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
    const gzip = await isGzip(path);
    const c = await withDuck((conn) => readCsv(conn, path, gzip, where, options, { sink: (select) => `COPY (${select}) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd)`, dir: tmp.dir, rejectedPath }), { tempDir: join(tmp.dir, 'spill') });
    const output = await putFile(objects, options.output, parquet, 'application/vnd.apache.parquet');
    const rejectedObject = c.rejected > 0 ? await putFile(objects, options.rejected, rejectedPath, 'application/x-ndjson') : undefined;
    return { ...c, output, ...(rejectedObject ? { rejectedObject } : {}) };
  } finally {
    await tmp.dispose();
  }
}

/**
 * Cleans a CSV object and yields its valid rows in batches (plain objects; BIGINT as number when
 * it fits, timestamps as ISO strings), in file order, for a caller to send to a queue or a table.
 * Breaking out of the loop closes DuckDB.
 *
 * A plain file (readCsvOnce) is streamed: its rows are cleaned, checked and handed out chunk by
 * chunk as DuckDB's one pass gives them (a table of every valid row cost ~290 MB for the seed's
 * 80 MB file), and the rejected rows are written, and `onCounts` called, after the last batch.
 * Any other file (gzip, \r line breaks, quoted line breaks) may need a second pass: its valid rows
 * are kept in a table first, and the rejected rows written and `onCounts` called before the first
 * batch. Should DuckDB fail on a plain file after all (a repair), the repaired file's rows are handed
 * out from the start again: a caller must take a row sent twice as the same row (as it must anyway
 * for a retried call).
 */
export function csvBatches(objects: ObjectStore, options: CsvBatchOptions): AsyncGenerator<Array<Record<string, unknown>>> {
  return batchesOf(objects, options, rowObjects);
}

/**
 * csvBatches with each row as its JSON text: the row csvBatches gives, as JSON.stringify writes it
 * (the same values once parsed: BIGINT a number when it fits else text, timestamps ISO strings with
 * milliseconds, dates their midnight; the text itself may differ, as 100.0 for 100), so a caller
 * that sends rows on as JSON joins them instead of building objects to stringify. DuckDB writes the
 * text on its threads: the seed's clean step, measured with it, took 12.1 -> 5.6 s of CPU (558,000
 * rows; /tmp probe, rows and texts alternated).
 */
export function csvJsonBatches(objects: ObjectStore, options: CsvBatchOptions): AsyncGenerator<string[]> {
  return batchesOf(objects, options, rowTexts);
}

export interface CsvBatchOptions extends CsvIngestOptions {
  /** Rows per batch. @defaultValue 500 */
  batchSize?: number;
  onCounts?: (c: CsvCounts) => void;
}

async function* batchesOf<T>(objects: ObjectStore, options: CsvBatchOptions, rows: RowReader<T>): AsyncGenerator<T[]> {
  const batchSize = options.batchSize ?? 500;
  const tmp = await scratch();
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: join(tmp.dir, 'spill') });
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = 'UTC'`);
    const path = await inputPath(objects, options.source, tmp.dir);
    const where = `${options.source.bucket}/${options.source.key}`;
    const rejectedPath = join(tmp.dir, 'rejected.jsonl');
    const counted = async (c: CheckedCounts) => {
      const rejectedObject = c.rejected > 0 ? await putFile(objects, options.rejected, rejectedPath, 'application/x-ndjson') : undefined;
      options.onCounts?.({ ...c, ...(rejectedObject ? { rejectedObject } : {}) });
    };
    const run = { sink: (select: string) => `CREATE TEMP TABLE valid AS ${select}`, dir: tmp.dir, rejectedPath };
    const gzip = await isGzip(path);
    const once = yield* handedOut<T, ReadOnce>((out) => readCsvOnce(conn, path, gzip, where, options, { ...run, pass: (select) => handOut(conn, select, batchSize, rows, out) }));
    if ('read' in once) return await counted(once.read);
    // Not a plain file: the valid rows are kept in a table (in file order) so a second pass, if
    // one is needed, hands nothing out twice; the counts and rejected rows come first.
    await counted(await readCsv(conn, path, gzip, where, options, run, once.declined));
    yield* handedOut<T, number>((out) => handOut(conn, 'SELECT * FROM valid', batchSize, rows, out));
  } finally {
    conn.closeSync();
    instance.closeSync();
    await tmp.dispose();
  }
}

/**
 * Yields the batches `produce` puts into its handoff as the consumer takes them, and returns what
 * `produce` returned. A consumer that stops refuses the producer's next put, and the producer is
 * waited for, so nothing reads from DuckDB once this returns.
 */
async function* handedOut<T, R>(produce: (out: Handoff<T[]>) => Promise<R>): AsyncGenerator<T[], R> {
  const out = new Handoff<T[]>();
  const reading = produce(out).then(
    (r) => {
      out.end();
      return r;
    },
    (e: unknown) => {
      out.fail(e);
      throw e;
    },
  );
  reading.catch(() => undefined); // its error reaches the consumer through take(), not as unhandled
  try {
    for (let b = await out.take(); b !== undefined; b = await out.take()) yield b;
    return await reading;
  } finally {
    out.abort();
    await reading.catch(() => undefined);
  }
}

/** How a streamed result's rows are read: the query over the valid rows' query, and a chunk's rows. */
interface RowReader<T> {
  query(conn: DuckDBConnection, select: string): Promise<string>;
  read(chunk: DuckDBDataChunk, names: readonly string[]): T[];
}

const rowObjects: RowReader<Record<string, unknown>> = {
  query: async (_conn, select) => select,
  read: (chunk, names) => chunk.convertRows(JSDuckDBValueConverter).map((row) => Object.fromEntries(names.map((name, i) => [name, plain(row[i])]))),
};

const rowTexts: RowReader<string> = {
  async query(conn, select) {
    const columns = (await conn.runAndReadAll(`DESCRIBE (${select})`)).getRows().map(([name, type]) => `${sqlString(String(name))}: ${jsonValue(sqlIdent(String(name)), String(type))}`);
    return `SELECT to_json({${columns.join(', ')}})::VARCHAR FROM (${select})`;
  },
  read(chunk) {
    const v = chunk.getColumnVector(0);
    const out = new Array<string>(chunk.rowCount);
    for (let i = 0; i < chunk.rowCount; i++) out[i] = v.getItem(i) as string;
    return out;
  },
};

/**
 * A column's value in a row's JSON as `plain` gives it in a row object: a BIGINT as a number when
 * safe, else as text; a timestamp as toISOString writes the Date node-api makes of it (milliseconds,
 * truncated toward zero; a year outside 0000-9999, which an offset can reach from 0000-01-01 or
 * 9999-12-31, as a sign and six digits); a date as its midnight; -0 as 0 (JSON.stringify writes it so).
 */
function jsonValue(col: string, type: string): string {
  if (/^(U?(BIG|HUGE|SMALL|TINY)?INT(EGER)?|UHUGEINT)$/.test(type)) return `CASE WHEN ${col} BETWEEN -9007199254740991 AND 9007199254740991 THEN to_json(${col}) ELSE to_json(${col}::VARCHAR) END`;
  if (type === 'TIMESTAMP') {
    const ms = `(epoch_us(${col}) // 1000)`;
    const at = `make_timestamp(${ms} * 1000)`;
    // 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in milliseconds since the epoch.
    const expanded = `CASE WHEN ${ms} < 0 THEN '-' ELSE '+' END || lpad(abs(year(${at}))::VARCHAR, 6, '0') || strftime(${at}, '-%m-%dT%H:%M:%S.%gZ')`;
    return `CASE WHEN ${ms} BETWEEN -62167219200000 AND 253402300799999 THEN strftime(${at}, '%Y-%m-%dT%H:%M:%S.%gZ') ELSE ${expanded} END`;
  }
  if (type === 'DATE') return `strftime(${col}, '%Y-%m-%d') || 'T00:00:00.000Z'`;
  if (type === 'DOUBLE' || type === 'FLOAT') return `CASE WHEN ${col} = 0 THEN 0 ELSE ${col} END`;
  return col;
}

/** Streams `select` on `conn` and hands its rows (as `rows` reads them) to `out` in batches of `batchSize`; returns the row count. */
async function handOut<T>(conn: DuckDBConnection, select: string, batchSize: number, rows: RowReader<T>, out: Handoff<T[]>): Promise<number> {
  const result = await conn.stream(await rows.query(conn, select));
  const names = result.columnNames();
  let n = 0;
  let batch: T[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of rows.read(chunk, names)) {
      batch.push(row);
      if (batch.length >= batchSize) {
        n += batch.length;
        await out.put(batch);
        batch = [];
      }
    }
    releaseChunk(chunk);
  }
  if (batch.length > 0) {
    n += batch.length;
    await out.put(batch);
  }
  return n;
}

/**
 * One value at a time from a producer to a consumer: `put` resolves when the consumer has taken
 * the value, so the producer (a DuckDB stream) reads no further ahead than one batch.
 */
class Handoff<T> {
  private static readonly stopped = 'the CSV batches were not read to the end (the consumer stopped)';
  private value: { v: T; taken: () => void; refused: (e: unknown) => void } | undefined;
  private waiter: ((v: { v: T } | { done: true } | { error: unknown }) => void) | undefined;
  private closed: { done: true } | { error: unknown } | undefined;
  private aborted = false;

  put(v: T): Promise<void> {
    if (this.aborted) return Promise.reject(new Error(Handoff.stopped));
    return new Promise((taken, refused) => {
      this.value = { v, taken, refused };
      this.wake();
    });
  }

  end(): void {
    this.closed = { done: true };
    this.wake();
  }

  fail(error: unknown): void {
    this.closed = { error };
    this.wake();
  }

  /** The consumer stopped: a pending or later put is refused. */
  abort(): void {
    this.aborted = true;
    this.value?.refused(new Error(Handoff.stopped));
    this.value = undefined;
  }

  /** The next value, or undefined at the end; throws what the producer failed with. */
  async take(): Promise<T | undefined> {
    const got = await new Promise<{ v: T } | { done: true } | { error: unknown }>((resolve) => {
      this.waiter = resolve;
      this.wake();
    });
    if ('error' in got) throw got.error;
    return 'v' in got ? got.v : undefined;
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.value) {
      const { v, taken } = this.value;
      this.value = undefined;
      this.waiter = undefined;
      w({ v });
      taken();
    } else if (this.closed) {
      this.waiter = undefined;
      w(this.closed);
    }
  }
}
