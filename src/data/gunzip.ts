/**
 * Gunzipping an input file in Node. A file that is not a whole gzip stream (cut short, or corrupt)
 * makes zlib fail with a bare "unexpected end of file" or "incorrect header check": here it is a
 * ValidationError naming the file, with zlib's error as its cause.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ValidationError } from '../core/errors.ts';

/** zlib's errors carry a Z_* code (Z_BUF_ERROR when the stream ends early, Z_DATA_ERROR when corrupt). */
function zlibError(e: unknown): e is Error {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The typed error for a file `where` that zlib could not gunzip to its end; other errors pass through. */
function notWholeGzip(e: unknown, where: string): unknown {
  if (!zlibError(e)) return e;
  return new ValidationError(`The file ${where} starts as gzip but is not a whole gzip stream: it is truncated or corrupt (${e.message}).`, {
    action: 'Upload the file again whole, or upload it without the .gz compression.',
    cause: e,
  });
}

/** The gunzipped bytes of `file` (closed when the reader stops early); `where` names it in the error for a bad gzip file. */
async function* gunzipped(file: Readable, where: string): AsyncGenerator<Buffer> {
  // An error reaches the reader through the gunzip stream, which pipeline destroys with it.
  const out = pipeline(file, createGunzip({ chunkSize: 1 << 20 }), () => {});
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    throw notWholeGzip(e, where);
  }
}

/** The bytes of the file at `path` (gunzipped when `gzip`; `where` names it in the error for a bad gzip file); ending early closes the file. */
export function inputBytes(path: string, gzip: boolean, where: string): AsyncIterable<Buffer> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  return gzip ? gunzipped(file, where) : file;
}

/**
 * Gunzips the file at `path` to its end, keeping nothing: DuckDB reads a gzip file cut short as
 * the rows before the cut, without an error, so a truncated upload would pass as a shorter file.
 */
export async function checkWholeGzip(path: string, where: string): Promise<void> {
  for await (const chunk of inputBytes(path, true, where)) void chunk;
}
