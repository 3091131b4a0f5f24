/**
 * The checked pass (standardize/stage.ts) over a CSV file. A file DuckDB cannot read as it is gets
 * repaired (repair.ts) and read once more:
 *
 *  - lines ending both in \r\n and in \n: DuckDB fails ("state machine reached an invalid
 *    state"), or, after a quoted value, refuses the line as a quote error;
 *  - a broken quote that swallowed the lines after it (DuckDB drops them, how many depending on
 *    how its parallel scan split the file).
 *
 * Either DuckDB throws, or its rejects do not match the file's records, which the line numbering
 * finds (lines.ts: CsvMisread) as it maps them to lines; a file with no rejects costs nothing more.
 *
 * An uncompressed file is read through a 2 MB buffer (DuckDB's 32 MB default cost more CPU), and
 * read again with a bigger one when a record does not fit (buffer.ts): a line longer than the
 * buffer vanishes from the scan without a reject.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ValidationError } from '../../core/errors.ts';
import { sqlString } from '../duck.ts';
import { checkWholeGzip } from '../gunzip.ts';
import { mixedLineBreaks as invalidState } from '../line-breaks.ts';
import { smallBuffer, withReadBuffer } from '../read-buffer.ts';
import { runChecked, type CheckedCounts, type CheckedRun } from '../standardize/stage.ts';
import { bufferOf, csvBuffer, longestRecord, type RecordMeasure } from './buffer.ts';
import { CsvMisread } from './lines.ts';
import { repairCsv, type BrokenLine } from './repair.ts';
import { csvDialect, csvSource, type CsvReadOptions } from './stage.ts';

/** The reason of a line left out by the repair: DuckDB's own for a quote that does not close on its line. */
export const UNTERMINATED_QUOTE = 'unreadable line: Value with unterminated quote found.';

/** Drops the first attempt's temp tables (the reader's rejects, the sink's table) so the second starts clean. */
async function dropTempTables(conn: DuckDBConnection): Promise<void> {
  const tables = (await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE temporary`)).getRows();
  for (const [name] of tables) await conn.run(`DROP TABLE temp.main."${String(name).replaceAll('"', '""')}"`);
}

/** The broken lines as a temp table of rejected rows (line, reasons, raw). */
async function brokenTable(conn: DuckDBConnection, broken: readonly BrokenLine[], dir: string): Promise<{ table: string; rows: number }> {
  const path = join(dir, 'broken-lines.jsonl');
  writeFileSync(path, broken.map((b) => `${JSON.stringify({ line: b.line, reasons: [UNTERMINATED_QUOTE], raw: b.raw })}\n`).join(''));
  await conn.run(`CREATE TEMP TABLE broken_lines AS SELECT * FROM read_json(${sqlString(path)}, format='newline_delimited', columns={line: 'BIGINT', reasons: 'VARCHAR[]', raw: 'VARCHAR'})`);
  return { table: 'broken_lines', rows: broken.length };
}

/**
 * Runs the checked pass over the CSV at `path` on `conn`, which is the read's own (a second
 * attempt drops its temp tables). `gzip`: the file is gzipped (the caller looked once, isGzip).
 * `where` names the source in error messages. `measured`: what readCsvOnce found when it declined
 * the file, so it is not measured again.
 */
export async function readCsv(conn: DuckDBConnection, path: string, gzip: boolean, where: string, o: CsvReadOptions, run: CheckedRun, measured?: RecordMeasure): Promise<CheckedCounts> {
  if (gzip) {
    await checkWholeGzip(path, where);
    return readWith(conn, path, true, where, o, run, undefined);
  }
  if (measured) return readWith(conn, path, false, where, o, run, bufferOf(measured));
  let passes = 0;
  return withReadBuffer(smallBuffer, csvBuffer(path, csvDialect(o)), async (bufferSize) => {
    if (passes++ > 0) await dropTempTables(conn);
    return readWith(conn, path, false, where, o, run, bufferSize);
  });
}

/** What readCsvOnce did: read the file, or declined it (with what it measured, nothing for gzip) for readCsv. */
export type ReadOnce = { read: CheckedCounts } | { declined: RecordMeasure | undefined };

/**
 * readCsv for a file whose rows are handed out as the pass gives them (CheckedRun.pass), so the
 * pass must not need running again: the file is measured first and read once, through the buffer
 * it needs. Declines, having read nothing, a file that may need a second pass (gzip, a \r in it, a
 * quoted value spanning lines or a quote that never closes: what the repair is for); readCsv
 * takes those, with the measure.
 */
export async function readCsvOnce(conn: DuckDBConnection, path: string, gzip: boolean, where: string, o: CsvReadOptions, run: CheckedRun): Promise<ReadOnce> {
  if (gzip) return { declined: undefined };
  const measure = await longestRecord(path, csvDialect(o));
  if (measure.cr || measure.spans) return { declined: measure };
  return { read: await readWith(conn, path, false, where, o, run, bufferOf(measure)) };
}

/** readCsv with a reader buffer of `bufferSize` (DuckDB's default when undefined), repairing the file if need be. */
async function readWith(conn: DuckDBConnection, path: string, gzip: boolean, where: string, o: CsvReadOptions, run: CheckedRun, bufferSize: number | undefined): Promise<CheckedCounts> {
  const sized = bufferSize === undefined ? {} : { bufferSize };
  try {
    return await runChecked(conn, await csvSource(path, gzip, where, o, sized), run);
  } catch (e) {
    if (!invalidState(e) && !(e instanceof CsvMisread)) throw e;
  }
  await dropTempTables(conn);
  const repaired = await repairCsv(path, gzip, csvDialect(o), run.dir, where);
  const before = repaired.broken.length > 0 ? await brokenTable(conn, repaired.broken, run.dir) : undefined;
  try {
    return await runChecked(conn, await csvSource(repaired.path, false, where, o, { ...sized, repaired: true }), { ...run, ...(before ? { rejectedBefore: before } : {}) });
  } catch (e) {
    if (!invalidState(e)) throw e;
    throw new ValidationError(`DuckDB cannot read the CSV ${where}, even with its line breaks made alike.`, { action: 'Check that it is a UTF-8 CSV with the configured delimiter and quote.', cause: e });
  }
}
