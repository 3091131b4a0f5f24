/**
 * Standardize: a JSON-lines object (gzip or not) → a Parquet object of the valid records (typed
 * columns from the schema, zstd) and a JSON-lines object of the rejected ones, each with its line
 * number and every reason it failed.
 *
 * The bulk path stays inside DuckDB (DESIGN.md, "Data plane notes"): the file is read as lines of
 * text (read_csv with a NUL delimiter and no quoting, so no line can abort the scan), each line's
 * fields are extracted in one JSON parse (TRY(json_transform(line, …)): a malformed line gives NULL
 * instead of an error), cast with TRY_CAST and checked by SQL compiled from the
 * schema (sql.ts), in one parallel pass (stage.ts) that writes the valid rows straight to Parquet.
 * A line the CSV reader itself refuses (a raw NUL byte) is caught by its reject store and reported
 * too. Line numbers count every line, blank ones included. A file whose line breaks DuckDB cannot
 * take (mixed \r\n and \n, a lone \r) is read again with every line break as \n (../line-breaks.ts).
 */
import { join } from 'node:path';
import type { z } from 'zod';
import type { ObjectHead, ObjectStore } from '../../ports/objects.ts';
import { sqlString, withDuck } from '../duck.ts';
import { inputPath, isGzip, putFile, scratch, type ObjectRef } from '../files.ts';
import { checkWholeGzip } from '../gunzip.ts';
import { alikeLineBreaks, mixedLineBreaks } from '../line-breaks.ts';
import { bufferForLines, maxLineSize, smallBuffer, tooLongReason, withReadBuffer } from '../read-buffer.ts';
import { needsNull, readsText } from './json-sql.ts';
import { compileSchema, type Column } from './schema.ts';
import { runChecked, type CheckedCounts, type CheckedSource } from './stage.ts';

export interface StandardizeOptions {
  source: ObjectRef;
  /** The record schema, a zod object of primitives (schema.ts). */
  schema: z.ZodType;
  /** Where the Parquet file of valid records goes. */
  output: ObjectRef;
  /** Where the JSON-lines file of rejected records goes (only written when some are rejected). */
  rejected: ObjectRef;
  /** 'auto' (default) looks at the file's first bytes. */
  compression?: 'auto' | 'gzip' | 'none';
}

export interface StandardizeResult {
  /** Non-blank lines read. */
  read: number;
  valid: number;
  rejected: number;
  output: ObjectHead;
  rejectedObject?: ObjectHead;
}

const malformed = `['malformed JSON: the line does not parse']`;

/**
 * The source of standardize for stage.ts: each line's fields in one JSON parse. json_transform to
 * a struct of JSON values gives each field's JSON text (a string still quoted, so its JSON type is
 * known: json-sql.ts checks it as zod would; missing or null as NULL), or its text where that loses
 * nothing (timestamps, dates, most enums: json-sql.ts readsText); it is NULL for a line that
 * does not parse (TRY) and for a JSON null, so a line not starting with '{' is told apart with
 * json_valid. Field names that differ only in case cannot share a struct: those schemas take
 * json_extract (a JSON null is then the text null). `bufferSize` is the reader's buffer (../read-buffer.ts), DuckDB's default when undefined.
 */
export function jsonLinesSource(columns: readonly Column[], path: string, gzip: boolean, bufferSize?: number): CheckedSource {
  const distinct = new Set(columns.map((c) => c.name.toLowerCase())).size === columns.length;
  const extract = !columns.length
    ? `CASE WHEN json_valid(j) THEN []::VARCHAR[] END`
    : distinct
      ? `TRY(json_transform(j, ${sqlString(JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, readsText(c) ? 'VARCHAR' : 'JSON']))))}))`
      : `TRY(json_extract(j, [${columns.map((c) => sqlString(jsonPath(c))).join(', ')}]))`;
  // With a buffer sized to the longest line, the reader takes every line and a line over the limit is rejected here.
  const buffer = bufferSize === undefined ? '' : `, buffer_size=${bufferSize}, max_line_size=${bufferSize}`;
  const tooLong = bufferSize === undefined ? '' : `WHEN strlen(j) > ${maxLineSize} THEN [${sqlString(tooLongReason)}] `;
  // json_transform gives SQL NULL for a JSON null as for a missing field; a column where they
  // differ (json-sql.ts needsNull) asks the line, only when the field is NULL.
  const field = (c: Column, i: number) => {
    if (!distinct) return `_v[${i + 1}]::VARCHAR`;
    const v = `struct_extract(_v, ${sqlString(c.name)})`;
    return needsNull(c) ? `CASE WHEN ${v} IS NOT NULL OR _v IS NULL THEN ${v}::VARCHAR WHEN TRY(json_exists(j, ${sqlString(jsonPath(c))})) THEN 'null' END` : `${v}::VARCHAR`;
  };
  const fields = columns.map((c, i) => `, ${field(c, i)} AS _x${i + 1}`).join('');
  return {
    columns,
    reader: (rejects) =>
      `read_csv(${sqlString(path)}, columns={'j':'VARCHAR'}, header=false, delim=chr(0), quote='', escape='', auto_detect=false, compression=${gzip ? "'gzip'" : "'none'"}${buffer}, store_rejects=true, rejects_table=${sqlString(rejects)}, rejects_scan=${sqlString(`${rejects}_scan`)})`,
    fields: (from) => `SELECT *, CASE ${tooLong}WHEN NOT starts_with(j, '{') AND left(ltrim(j), 1) <> '{' THEN CASE WHEN json_valid(j) THEN ['not a JSON object'] ELSE ${malformed} END WHEN _v IS NULL THEN ${malformed} END AS _pre${fields}
      FROM (SELECT *, ${extract} AS _v FROM ${from} WHERE ${nonBlank})`,
    raw: 'j',
    hash: 'hash(j)',
    readerColumns: ['j'],
    values: 'json',
    ...(distinct ? { textFields: new Set(columns.flatMap((c, i) => (readsText(c) ? [i] : []))) } : {}),
  };
}

/** The JSON path of a column's field. */
const jsonPath = (c: Column) => `$.${JSON.stringify(c.name)}`;

/**
 * Skips blank lines. Almost every line starts with '{' (a cheap test); the rest pay for the
 * whitespace test, and trim() only runs on the rare line that starts with whitespace.
 */
const nonBlank = `(starts_with(j, '{') OR (j <> '' AND (NOT regexp_matches(left(j, 1), '\\s') OR trim(j) <> '')))`;

export async function standardize(objects: ObjectStore, options: StandardizeOptions): Promise<StandardizeResult> {
  const columns = compileSchema(options.schema);
  const tmp = await scratch();
  try {
    const path = await inputPath(objects, options.source, tmp.dir);
    const gzip = options.compression === 'gzip' || (options.compression !== 'none' && (await isGzip(path)));
    const where = `${options.source.bucket}/${options.source.key}`;
    // DuckDB reads a gzip file cut short as the lines before the cut, without an error.
    if (gzip) await checkWholeGzip(path, where);
    const parquet = join(tmp.dir, 'valid.parquet');
    const rejectedPath = join(tmp.dir, 'rejected.jsonl');
    const finish = async (counts: CheckedCounts): Promise<StandardizeResult> => {
      const output = await putFile(objects, options.output, parquet, 'application/vnd.apache.parquet');
      const rejectedObject = counts.rejected > 0 ? await putFile(objects, options.rejected, rejectedPath, 'application/x-ndjson') : undefined;
      return { ...counts, output, ...(rejectedObject ? { rejectedObject } : {}) };
    };
    const check = (file: string, gz: boolean, bufferSize: number | undefined) =>
      withDuck(
        (conn) =>
          runChecked(conn, jsonLinesSource(columns, file, gz, bufferSize), {
            sink: (select) => `COPY (${select}) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd)`,
            dir: tmp.dir,
            rejectedPath,
          }),
        { tempDir: join(tmp.dir, 'spill') },
      );
    // A file with a line longer than the small buffer (rare) is checked again, its outputs overwritten.
    const read = (file: string, gz: boolean) => (gz ? check(file, gz, undefined) : withReadBuffer(smallBuffer, bufferForLines(file, smallBuffer), (size) => check(file, gz, size)));
    try {
      return await finish(await read(path, gzip));
    } catch (e) {
      if (!mixedLineBreaks(e)) throw e;
    }
    return await finish(await read(await alikeLineBreaks(path, gzip, where, join(tmp.dir, 'lines.jsonl')), false));
  } finally {
    await tmp.dispose();
  }
}
