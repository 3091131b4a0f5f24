/**
 * Line breaks DuckDB's reader cannot take: a file whose lines end both in \r\n and in \n (or with a
 * lone \r among them) makes it fail with "state machine reached an invalid state". Such a file is
 * copied with every line break as \n (a lone \r counts as one, as DuckDB counts it in a file of \r
 * line endings) and read again: only when DuckDB fails, so other files cost nothing.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { inputBytes } from './gunzip.ts';

const LF = 0x0a;
const CR = 0x0d;

/** DuckDB's error for mixed line breaks. */
export const mixedLineBreaks = (e: unknown): boolean => e instanceof Error && e.message.includes('state machine reached an invalid state');

/** `chunk` with each line break as \n: \r\n and a lone \r (one ending the chunk may be half of a \r\n). */
export function newlines(chunk: Buffer, state: { afterCR: boolean }): Buffer {
  if (chunk.length === 0) return chunk;
  let i = state.afterCR && chunk[0] === LF ? 1 : 0;
  state.afterCR = false;
  let cr = chunk.indexOf(CR, i);
  if (cr < 0) return i === 0 ? chunk : chunk.subarray(i);
  const out = Buffer.allocUnsafe(chunk.length);
  let n = 0;
  for (; cr >= 0; cr = chunk.indexOf(CR, i)) {
    n += chunk.copy(out, n, i, cr);
    out[n++] = LF;
    i = chunk[cr + 1] === LF ? cr + 2 : cr + 1;
    state.afterCR = cr === chunk.length - 1;
  }
  n += chunk.copy(out, n, i);
  return out.subarray(0, n);
}

/** Writes the file at `path` (gunzipped when `gzip`; `where` names it in errors) to `out` with every line break as \n; returns `out`. */
export async function alikeLineBreaks(path: string, gzip: boolean, where: string, out: string): Promise<string> {
  const state = { afterCR: false };
  const convert = async function* (input: AsyncIterable<Buffer>) {
    for await (const chunk of input) yield newlines(chunk, state);
  };
  await pipeline(inputBytes(path, gzip, where), convert, createWriteStream(out));
  return out;
}
