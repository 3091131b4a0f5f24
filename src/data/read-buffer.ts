/**
 * The read_csv buffer for a file of lines (standardize's JSON lines; CSV, csv/buffer.ts). DuckDB's
 * default (32 MB) cost about 3x the CPU of a 2 MB buffer to read 50 MB of lines on the 2-core VM
 * (each fresh buffer is paid for in page faults).
 * But a line longer than the buffer vanishes from the scan with no reject (DuckDB 1.5; its reject of
 * a line over max_line_size was not reliable either), so the buffer is sized from the file's longest
 * line, found by one pass of memchr in Node (~20 ms for 50 MB, through one reused buffer: a stream's
 * fresh chunks cost more page faults than the scan), and the line limit is checked in SQL.
 */
import { open } from 'node:fs/promises';

/** Lines longer than this are rejected as unreadable (DuckDB's default max_line_size). */
export const maxLineSize = 2_000_000;
/** The buffer for a file whose lines are all shorter than about 2 MB. */
export const smallBuffer = 2 * 1024 * 1024;
/** DuckDB's own buffer (16 x its default max_line_size), for a reader that keeps it. */
export const defaultBuffer = 32_000_000;
/** The reason of a line over maxLineSize, which a reader with a buffer from bufferFor gives in SQL. */
export const tooLongReason = `unreadable line: longer than the maximum line size of ${maxLineSize} bytes`;
/** Room left in a buffer beyond its longest line. */
const slack = 64 * 1024;

/**
 * Hands each chunk of the file at `path` to `visit`, in order: one reused 1 MB buffer (a stream's
 * fresh chunks cost more page faults than the scans that use this).
 */
export async function eachChunk(path: string, visit: (chunk: Buffer) => void): Promise<void> {
  const file = await open(path);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      visit(buf.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}

/** The length in bytes of the longest line of an uncompressed file. */
export async function longestLine(path: string): Promise<number> {
  let longest = 0;
  let run = 0;
  await eachChunk(path, (chunk) => {
    let pos = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, pos)) {
      longest = Math.max(longest, run + nl - pos);
      run = 0;
      pos = nl + 1;
    }
    run += chunk.length - pos;
  });
  return Math.max(longest, run);
}

/** A buffer that holds the longest line with room to spare: 2 MB, or the next power of two. */
export function bufferFor(longest: number): number {
  let size = smallBuffer;
  while (size < longest + slack) size *= 2;
  return size;
}

/** Whether a buffer of `size` bytes (undefined: DuckDB's default) holds a line of `longest` bytes. */
export function holds(size: number | undefined, longest: number): boolean {
  return longest + slack <= (size ?? defaultBuffer);
}

/** The longest line of the uncompressed file at `path`, and the buffer it needs: `size` when it fits there. */
export async function bufferForLines(path: string, size: number | undefined): Promise<number | undefined> {
  const longest = await longestLine(path);
  return holds(size, longest) ? size : bufferFor(longest);
}

/**
 * Runs `pass` with a buffer of `size` bytes (undefined: DuckDB's default) while `needed`, the
 * buffer the file needs, is measured, and once more with that buffer when it differs (the first
 * pass's result, or error, is then dropped: it may have lost a line). `pass` must overwrite what
 * an earlier pass wrote.
 */
export async function withReadBuffer<T>(size: number | undefined, needed: Promise<number | undefined>, pass: (bufferSize: number | undefined) => Promise<T>): Promise<T> {
  needed.catch(() => undefined); // awaited below; not unhandled if the pass fails first
  const first = await pass(size).then(
    (value) => ({ value }),
    (failed: unknown) => ({ failed }),
  );
  const buffer = await needed;
  if (buffer !== size) return pass(buffer);
  if ('failed' in first) throw first.failed;
  return first.value;
}
