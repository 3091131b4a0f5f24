/**
 * The read_csv buffer for a CSV (../read-buffer.ts): the small buffer when every record fits in it.
 * A record is as long as its line, unless a quoted value spans lines: DuckDB needs the whole record
 * in its buffer (a longer one it splits into wrong rows and rejects), so records are measured too.
 *
 * The measure is one pass of indexOf over newlines and quotes (a file without quotes costs about
 * what longestLine does). A quote opens a quoted value only at the start of a field, as in
 * DuckDB's reader (records.ts), but the measure is rougher than that reader: a record that seems
 * to run long (a quote that never closes) sends the file back to DuckDB's default buffer, which
 * read such files before, while a physical line too long for that one still gets a buffer that holds it.
 */
import { bufferFor, eachChunk, holds, maxLineSize, smallBuffer } from '../read-buffer.ts';
import type { Dialect } from './records.ts';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** What the measure found in a CSV: its longest line and record, and what makes it less plain. */
export interface RecordMeasure {
  /** The longest line, in bytes. */
  line: number;
  /** The longest record (line breaks inside it counted). */
  record: number;
  /** Some quoted value spans a line break (or a quote never closes). */
  spans: boolean;
  /** The file has a \r (line breaks of \r\n, or mixed ones). */
  cr: boolean;
}

/** The longest line and the longest record (in bytes, line breaks inside it counted) of an uncompressed CSV. */
export async function longestRecord(path: string, d: Dialect): Promise<RecordMeasure> {
  const quote = Buffer.from(d.quote, 'utf8')[0]!;
  const delim = Buffer.from(d.delimiter, 'utf8');
  const delimEnd = delim[delim.length - 1]!;
  let line = 0;
  let record = 0;
  let lineRun = 0;
  let recordRun = 0;
  let quoted = false;
  let spans = false;
  let cr = false;
  // The two bytes before the chunk, and where the last quoted value closed (-1: not just before).
  let before1 = LF;
  let before2 = LF;
  let closedAt = -2;
  const fieldStart = (b: number) => b === LF || b === CR || b === delimEnd;
  await eachChunk(path, (chunk) => {
    const at = (i: number) => (i >= 0 ? chunk[i]! : i === -1 ? before1 : before2);
    // Toggles `quoted` at the quotes before `end`, from quote `q`; returns the next quote.
    const quotes = (q: number, end: number): number => {
      for (; q >= 0 && q < end; q = chunk.indexOf(quote, q + 1)) {
        if (quoted) {
          quoted = false;
          closedAt = q;
        } else {
          const p = at(q - 1);
          if (fieldStart(p) || q - 1 === closedAt || (p === SPACE && fieldStart(at(q - 2)))) quoted = true;
        }
      }
      return q;
    };
    let q = chunk.indexOf(quote);
    let pos = 0;
    for (let nl = chunk.indexOf(LF); nl >= 0; nl = chunk.indexOf(LF, pos)) {
      q = quotes(q, nl);
      line = Math.max(line, lineRun + nl - pos);
      lineRun = 0;
      if (quoted) {
        spans = true;
        recordRun += nl + 1 - pos;
      }
      else {
        record = Math.max(record, recordRun + nl - pos);
        recordRun = 0;
      }
      pos = nl + 1;
    }
    quotes(q, chunk.length);
    if (!cr && chunk.indexOf(CR) >= 0) cr = true;
    lineRun += chunk.length - pos;
    recordRun += chunk.length - pos;
    closedAt = closedAt === chunk.length - 1 ? -1 : -2;
    before2 = chunk.length > 1 ? chunk[chunk.length - 2]! : before1;
    before1 = chunk[chunk.length - 1]!;
  });
  return { line: Math.max(line, lineRun), record: Math.max(record, recordRun), spans: spans || quoted, cr };
}

/**
 * The buffer for the uncompressed CSV at `path`: the small one when every record fits and none is
 * over the line limit (read through it, no record needs the length check: stage.ts), else twice
 * that when every record fits it (some record is over the limit: read with the check), else
 * DuckDB's default when every line fits there, else one that holds the longest line.
 */
export async function csvBuffer(path: string, d: Dialect): Promise<number | undefined> {
  return bufferOf(await longestRecord(path, d));
}

/** csvBuffer for a file already measured. */
export function bufferOf({ line, record }: RecordMeasure): number | undefined {
  if (holds(smallBuffer, record)) return record <= maxLineSize ? smallBuffer : 2 * smallBuffer;
  return holds(undefined, line) ? undefined : bufferFor(line);
}
