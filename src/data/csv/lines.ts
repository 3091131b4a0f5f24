/**
 * Line numbers of a CSV's rejected rows (the `renumber` step of standardize/stage.ts). DuckDB
 * counts neither way in lines of the file: ORDINALITY counts rows (blank lines and the lines the
 * reader refused are not rows, a row with a quoted line break is one), and its reject store does
 * not count line breaks inside quoted values. One scan of the file (records.ts), only as far as
 * the last rejected row, gives each rejected row the physical line it starts on (header = line 1).
 *
 * Memory stays small however many rows fail: the sorted numbers to look for are typed arrays
 * (8 bytes a row, less than DuckDB keeps for each) walked in step with the scan, and the lines
 * found go straight into DuckDB through appenders.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { inputBytes } from '../gunzip.ts';
import type { RenumberTables } from '../standardize/stage.ts';
import { scanRecords, type Dialect } from './records.ts';


/** The query's one BIGINT column, in order. */
async function numbers(conn: DuckDBConnection, sql: string): Promise<Float64Array> {
  const result = await conn.stream(sql);
  let out = new Float64Array(1024);
  let n = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    if (n + chunk.rowCount > out.length) {
      const bigger = new Float64Array(Math.max(out.length * 2, n + chunk.rowCount));
      bigger.set(out.subarray(0, n));
      out = bigger;
    }
    const v = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) out[n++] = Number(v.getItem(i));
  }
  return out.subarray(0, n);
}

async function lineMap(conn: DuckDBConnection, name: string): Promise<DuckDBAppender> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${name} (k BIGINT, line BIGINT)`);
  return conn.createAppender(name);
}

function append(appender: DuckDBAppender, k: number, line: number): void {
  appender.appendBigInt(BigInt(k));
  appender.appendBigInt(BigInt(line));
  appender.endRow();
}

/** DuckDB's rows and rejects do not match the file's records: it misread the file (read.ts repairs it). */
export class CsvMisread extends Error {}

/**
 * Sets the physical lines: `_line` (an ORDINALITY) of the rows rejected by value, `line` of the
 * reader rejects, whose `csv_line` also loses the blank lines DuckDB puts before it. In a
 * one-column file DuckDB reads a blank line as a row, so it is one here too.
 *
 * DuckDB misread the file when a reject is on no record, when it calls a quote error what is none
 * (a line break it did not expect after a quoted value), when a record it refused runs on over
 * lines after a quote error (it swallowed them), or when it has more rows than the file: `strict`
 * throws CsvMisread then. Otherwise a row not found gets no line, and a reader reject keeps DuckDB's.
 */
export async function renumberCsv(conn: DuckDBConnection, path: string, gzip: boolean, where: string, dialect: Dialect, oneColumn: boolean, strict: boolean, t: RenumberTables): Promise<void> {
  const ordinals = t.numbered ? await numbers(conn, `SELECT DISTINCT _line FROM ${t.numbered} ORDER BY 1`) : new Float64Array(0);
  const skipped = t.numberingRejects ? await numbers(conn, `SELECT DISTINCT line FROM ${t.numberingRejects} ORDER BY 1`) : new Float64Array(0);
  const reported = await numbers(conn, `SELECT DISTINCT line FROM ${t.readerRejects} ORDER BY 1`);
  const quoteErrors = await numbers(conn, `SELECT DISTINCT line FROM ${t.readerRejects} WHERE error_type = 'UNQUOTED VALUE' ORDER BY 1`);
  const byOrdinal = await lineMap(conn, 'ordinal_lines');
  const byReaderLine = await lineMap(conn, 'reader_lines');
  // The next of each list to meet; the records come in the order of their lines.
  let o = 0;
  let s = 0;
  let r = 0;
  let q = 0;
  let rows = 0;
  let header = true;
  let misread = false;
  await scanRecords(inputBytes(path, gzip, where), dialect, (rec) => {
    if (header) header = false;
    else if (!rec.blank || oneColumn) {
      for (; r < reported.length && reported[r]! < rec.readerLine; r++) misread = true; // a reject on no record
      while (s < skipped.length && skipped[s]! < rec.readerLine) s++;
      while (q < quoteErrors.length && quoteErrors[q]! < rec.readerLine) q++;
      if (reported[r] === rec.readerLine) {
        const swallowed = rec.quoteError && rec.quotedBreaks > 0;
        if (swallowed || (quoteErrors[q] === rec.readerLine && !rec.quoteError)) misread = true;
        append(byReaderLine, reported[r++]!, rec.line);
      }
      if (skipped[s] === rec.readerLine) s++;
      else if (ordinals[o] === ++rows) append(byOrdinal, ordinals[o++]!, rec.line);
    }
    return !(misread && strict) && (o < ordinals.length || r < reported.length);
  });
  byOrdinal.closeSync();
  byReaderLine.closeSync();
  if (strict && (misread || o < ordinals.length || r < reported.length)) throw new CsvMisread(`DuckDB misread ${path}`);
  if (t.numbered) await conn.run(`CREATE OR REPLACE TEMP TABLE ${t.numbered} AS SELECT n.* REPLACE (m.line AS _line) FROM ${t.numbered} n LEFT JOIN ordinal_lines m ON m.k = n._line`);
  await conn.run(`UPDATE ${t.readerRejects} SET line = coalesce((SELECT m.line FROM reader_lines m WHERE m.k = ${t.readerRejects}.line), line), csv_line = ltrim(csv_line, chr(13) || chr(10))`);
}
