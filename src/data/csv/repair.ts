/**
 * Repairs a CSV DuckDB cannot read as it is (read.ts decides when) into a plain file with the
 * same lines, so line numbers stay those of the original:
 *
 *  - every line break becomes \n (DuckDB fails on a file whose lines end both in \r\n and in \n:
 *    "state machine reached an invalid state");
 *  - a record whose quoted value runs past its first line and that ends in a quote error (the
 *    quote never closes, or text follows where it closes) would swallow the lines after it: its
 *    first line is left blank (DuckDB skips blank lines) and returned as rejected, and the records
 *    are read again from the next line.
 *
 * Two passes over the file, only for such a file: one finding the broken lines, one writing.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '../../core/errors.ts';
import { inputBytes } from '../gunzip.ts';
import { newlines } from '../line-breaks.ts';
import { scanRecords, type CsvRecord, type Dialect, type Verdict } from './records.ts';

export interface BrokenLine {
  line: number;
  /** The line's text (at most RAW_MAX characters, as DuckDB keeps a line it refuses). */
  raw: string;
}

interface Blank {
  line: number;
  start: number;
  /** Where the next line starts. */
  end: number;
}

const RAW_MAX = 10_000;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The broken lines, in order: at each, the scan goes back to the line after it (opening the file
 * again only when that line is no longer in memory).
 */
async function brokenLines(path: string, dialect: Dialect, where: string): Promise<Blank[]> {
  const found: Blank[] = [];
  const visit = (r: CsvRecord): Verdict => {
    if (!r.quoteError || r.quotedBreaks === 0) return true;
    if (r.line === 1) throw new ValidationError(`The CSV ${where} has an unterminated quote in its header.`, { action: 'Fix the header line.' });
    found.push({ line: r.line, start: r.start, end: r.secondLine });
    return 'restart';
  };
  let from: { offset: number; line: number } | undefined = { offset: 0, line: 1 };
  while (from) from = await scanRecords(createReadStream(path, { start: from.offset, highWaterMark: 1 << 20 }), dialect, visit, from);
  return found;
}

/**
 * Copies `input` with each `blank` range's text (not its line break) left out, line breaks as
 * \n; `raws[k]` gets the text of range k.
 */
async function* rewrite(input: AsyncIterable<Buffer>, blank: readonly Blank[], raws: Buffer[][]): AsyncGenerator<Buffer> {
  const state = { afterCR: false };
  let pos = 0;
  let k = 0; // the first range not passed yet
  for await (const chunk of input) {
    const end = pos + chunk.length;
    const parts: Buffer[] = [];
    let from = 0;
    for (; k < blank.length && blank[k]!.start < end; k++) {
      const range = chunk.subarray(Math.max(blank[k]!.start - pos, 0), Math.min(blank[k]!.end, end) - pos);
      // A range is one line: its only line break is at its end.
      let text = range.length;
      while (text > 0 && (range[text - 1] === LF || range[text - 1] === CR)) text--;
      parts.push(chunk.subarray(from, range.byteOffset - chunk.byteOffset), range.subarray(text));
      const raw = (raws[k] ??= []);
      if (raw.reduce((sum, b) => sum + b.length, 0) < RAW_MAX * 4) raw.push(Buffer.from(range.subarray(0, text)));
      from = range.byteOffset - chunk.byteOffset + range.length;
      if (blank[k]!.end > end) break;
    }
    parts.push(chunk.subarray(from));
    yield newlines(parts.length === 1 ? chunk : Buffer.concat(parts), state);
    pos = end;
  }
}

/** Writes the repaired copy of `path` (gzipped when `gzip`) to `dir`, uncompressed; returns its path and the lines left blank. */
export async function repairCsv(path: string, gzip: boolean, dialect: Dialect, dir: string, where: string): Promise<{ path: string; broken: BrokenLine[] }> {
  let plain = path;
  if (gzip) {
    // The scan for broken lines starts again mid-file, so it reads an uncompressed copy.
    plain = join(dir, 'input.csv');
    await pipeline(inputBytes(path, true, where), createWriteStream(plain));
  }
  const blank = await brokenLines(plain, dialect, where);
  const repaired = join(dir, 'repaired.csv');
  const raws: Buffer[][] = [];
  await pipeline(rewrite(createReadStream(plain, { highWaterMark: 1 << 20 }), blank, raws), createWriteStream(repaired));
  return { path: repaired, broken: blank.map((b, i) => ({ line: b.line, raw: Buffer.concat(raws[i] ?? []).toString('utf8').slice(0, RAW_MAX) })) };
}
