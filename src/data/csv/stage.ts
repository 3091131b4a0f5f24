/**
 * Reads a CSV for the checked-rows pipeline (standardize/stage.ts): one parallel pass, valid rows
 * straight to the sink, rejected ones numbered afterwards.
 *
 * Every field is read as text (all_varchar), so a bad value never aborts the scan; rows the CSV
 * reader cannot split (too many or too few fields, a broken quote) are caught by its reject store
 * with their line numbers and error, and added as rejected rows. Fields are cleaned (clean.ts) and
 * coerced to the schema's types with TRY_CAST; a value that does not fit gives a reason.
 *
 * Line numbers are the lines of the file (header = line 1), blank lines and quoted line breaks
 * counted (lines.ts). A file DuckDB cannot read as it is is repaired first (read.ts).
 */
import type { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { sqlIdent, sqlString } from '../duck.ts';
import { inputBytes } from '../gunzip.ts';
import { maxLineSize, smallBuffer, tooLongReason } from '../read-buffer.ts';
import { compileSchema, type Column } from '../standardize/schema.ts';
import { internalPrefix, type CheckedSource } from '../standardize/stage.ts';
import { fieldCleaning, type CleaningOptions } from './clean.ts';
import { renumberCsv } from './lines.ts';
import type { Dialect } from './records.ts';

export interface CsvReadOptions {
  /** Field separator. @defaultValue ',' */
  delimiter?: string;
  /** @defaultValue '"' */
  quote?: string;
  /** The schema the cleaned fields are coerced to; without one every column stays text. */
  schema?: z.ZodType;
  cleaning?: CleaningOptions;
}

/** The delimiter and quote, defaults applied. */
export function csvDialect(o: CsvReadOptions): Dialect {
  return { delimiter: o.delimiter ?? ',', quote: o.quote ?? '"' };
}

/**
 * The reading query. Nothing is sniffed (a broken row near the top would make DuckDB's sniffer
 * give up on the whole file): the header is read as the first line and every column is text.
 * Compression is told, not guessed from the name (DuckDB read a gzip file named .csv as no rows).
 */
function readSql(path: string, gzip: boolean, header: readonly string[], d: Dialect, rejects: string, bufferSize: number | undefined): string {
  const columns = header.map((h) => `${sqlString(h)}: 'VARCHAR'`).join(', ');
  const buffer = bufferSize === undefined ? '' : `, buffer_size=${bufferSize}, max_line_size=${bufferSize}`;
  return `read_csv(${sqlString(path)}, header=true, auto_detect=false, compression=${gzip ? "'gzip'" : "'none'"}${buffer}, columns={${columns}}, delim=${sqlString(d.delimiter)}, quote=${sqlString(d.quote)}, escape=${sqlString(d.quote)}, store_rejects=true, rejects_table=${sqlString(rejects)}, rejects_scan=${sqlString(`${rejects}_scan`)})`;
}

/**
 * The file's first line, read in Node (gunzipped if need be): asking DuckDB for it made the CSV
 * reader load a whole 32 MiB buffer first (0.1-0.4 s per call).
 */
async function firstLine(path: string, gzip: boolean, where: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  // Leaving the loop (return, break) closes the file.
  for await (const chunk of inputBytes(path, gzip, where)) {
    text += decoder.decode(chunk, { stream: true });
    const end = text.search(/[\r\n]/);
    if (end >= 0) return text.slice(0, end);
    if (text.length > 1 << 20) return text;
  }
  return text + decoder.decode();
}

/** The header's field names, from the first line (quoted names allowed). */
async function readHeader(path: string, gzip: boolean, where: string, o: CsvReadOptions): Promise<string[]> {
  const first = (await firstLine(path, gzip, where)).replace(/^\uFEFF/, '');
  if (first.trim() === '') {
    throw new ValidationError(`The CSV ${where} has no header line.`, { action: 'Give the file a first line naming its columns.' });
  }
  return splitLine(first, o.delimiter ?? ',', o.quote ?? '"').map((h) => h.trim());
}

/** One CSV line's fields (quoted fields and doubled quotes honoured); the header is read with it. */
export function splitLine(line: string, delim: string, quote: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === quote && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else if (ch === quote) quoted = false;
      else cur += ch;
    } else if (ch === quote) quoted = true;
    else if (line.startsWith(delim, i)) {
      out.push(cur);
      cur = '';
      i += delim.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface CsvSourceOptions {
  /** read.ts repaired the file: its line numbering then never throws CsvMisread. */
  repaired?: boolean;
  /** The reader's buffer (../read-buffer.ts); DuckDB's default when undefined. */
  bufferSize?: number;
}

/**
 * With a buffer sized to the longest line, DuckDB reads every line and one over the limit is
 * rejected here: its fields' bytes and delimiters (quotes not counted) are over maxLineSize.
 */
function tooLongSql(header: readonly string[], d: Dialect): string {
  const bytes = header.map((h) => `coalesce(strlen(${sqlIdent(h)}), 0)`).join(' + ');
  return `CASE WHEN ${bytes} + ${(header.length - 1) * Buffer.byteLength(d.delimiter)} > ${maxLineSize} THEN [${sqlString(tooLongReason)}] END`;
}

/**
 * Whether rows read through a buffer of `size` bytes are checked against the line limit: not
 * through the small buffer, which buffer.ts gives only to files whose records are all under it
 * (the check, 16 strlen() a row, was 0.06 s of CPU per 500k rows of 16 columns).
 */
const lengthChecked = (size: number) => size !== smallBuffer;

/**
 * The source of a CSV for stage.ts, with its data columns. `gzip`: the file is gzipped (the caller
 * looked once: isGzip). `where` names the source for error messages.
 */
export async function csvSource(path: string, gzip: boolean, where: string, o: CsvReadOptions, s: CsvSourceOptions = {}): Promise<CheckedSource> {
  const header = await readHeader(path, gzip, where, o);
  const columns: Column[] = o.schema ? compileSchema(o.schema) : header.map((name) => ({ name, kind: 'string', sqlType: 'VARCHAR', optional: true }));
  const missing = columns.filter((c) => !header.includes(c.name));
  if (missing.length > 0) {
    throw new ValidationError(`The CSV ${where} has no column ${missing.map((c) => `"${c.name}"`).join(', ')}; its header has ${header.map((h) => `"${h}"`).join(', ')}.`, {
      action: 'Rename the schema fields to match the header, or fix the file.',
    });
  }
  const all = header.map(sqlIdent);
  const oneColumn = header.length === 1;
  const dialect = csvDialect(o);
  const ours = internalPrefix(header);
  return {
    columns,
    internal: ours,
    reader: (rejects) => readSql(path, gzip, header, dialect, rejects, s.bufferSize),
    // DuckDB reads a blank line of a one-column file (or one holding just "") as a NULL row: a
    // blank line is skipped, not rejected (lines.ts still counts it as a row, as ORDINALITY does).
    fields: (from) => `SELECT *, ${s.bufferSize === undefined || !lengthChecked(s.bufferSize) ? 'NULL::VARCHAR[]' : tooLongSql(header, dialect)} AS ${ours}pre${columns.map((c, i) => `, ${sqlIdent(c.name)} AS ${ours}x${i + 1}`).join('')} FROM ${from}${oneColumn ? ` WHERE ${all[0]} IS NOT NULL` : ''}`,
    raw: `to_json(struct_pack(${header.map((h) => `${sqlIdent(h)} := ${sqlIdent(h)}`).join(', ')}))::VARCHAR`,
    hash: `hash(${all.join(', ')})`,
    readerColumns: header,
    renumber: (conn, tables) => renumberCsv(conn, path, gzip, where, dialect, oneColumn, !s.repaired, tables),
    cleaning: fieldCleaning(o.cleaning),
  };
}
