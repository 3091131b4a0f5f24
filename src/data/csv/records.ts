/**
 * Splits CSV bytes into records the way DuckDB's reader does (its state machine, strict mode,
 * escape = quote), so the records found here are the rows and rejects DuckDB reports, with the
 * physical lines they start on. Used only off the fast path: to number rejected rows (lines.ts)
 * and to repair a file DuckDB cannot read as it is (repair.ts).
 *
 * DuckDB's rules, as measured on 1.5: a quote opens a quoted value only at the start of a field,
 * after at most one space; after the closing quote, spaces, the delimiter, a line break, or a
 * quote (which quotes again) may follow, and anything else is a quote error (the record is
 * rejected, but still ends at the next line break outside quotes). A record without any bytes is
 * a blank line. A line break is \n, \r\n or a lone \r, in quoted values too (as repair.ts writes them).
 */

export interface CsvRecord {
  /** Byte offset of its first byte (of its line break, for a blank line). */
  start: number;
  /** 1-based physical line it starts on. */
  line: number;
  /** Its line as DuckDB's reader counts them: line breaks inside earlier records' quoted values are not counted. */
  readerLine: number;
  blank: boolean;
  /** A quoted value never closes, or text follows a closing quote. */
  quoteError: boolean;
  /** Line breaks inside its quoted values: it spans this many lines more than one. */
  quotedBreaks: number;
  /** Byte offset where its second line begins, when it spans lines (else -1). */
  secondLine: number;
}

export interface Dialect {
  delimiter: string;
  quote: string;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf];

// States: at the start of a field, after one space there, in an unquoted value, in a quoted
// value, after a closing quote.
const FIELD = 0;
const FIELD_SPACE = 1;
const PLAIN = 2;
const QUOTED = 3;
const CLOSED = 4;

/** What `visit` wants next: go on (true or nothing), stop (false), or read again from the record's second line. */
export type Verdict = boolean | void | 'restart';

/**
 * Calls `visit` with each record of `input` (the header included), starting at byte `offset` on
 * line `line` (the input must start there). Returns where to open the input again when `visit`
 * asked for a restart at a line no longer in memory, else nothing.
 *
 * A line without quotes is a record found with indexOf alone (the common case, about five times
 * faster than looking at each byte); the other lines go through the state machine byte by byte.
 */
export async function scanRecords(input: AsyncIterable<Buffer>, dialect: Dialect, visit: (r: CsvRecord) => Verdict, from = { offset: 0, line: 1 }): Promise<{ offset: number; line: number } | undefined> {
  const delim = Buffer.from(dialect.delimiter, 'utf8');
  const d0 = delim[0]!;
  const dLen = delim.length;
  const quote = Buffer.from(dialect.quote, 'utf8')[0]!;
  const spaceOpens = d0 !== SPACE;
  // Bytes that end a run of plain or quoted text: the loops skip everything else.
  const plainStop = new Uint8Array(256);
  plainStop[LF] = plainStop[CR] = plainStop[d0] = 1;
  const quotedStop = new Uint8Array(256);
  quotedStop[LF] = quotedStop[CR] = quotedStop[quote] = 1;

  let state = FIELD;
  let line = from.line;
  let quotedBreaksBefore = 0;
  // The record being read.
  let start = from.offset;
  let startLine = line;
  let empty = true;
  let quoteError = false;
  let quotedBreaks = 0;
  let secondLine = -1;
  // The previous byte was a \r (a \n after it is part of the same line break).
  let afterCR = false;
  let bom = from.offset === 0 ? 0 : 3;
  let reopen: { offset: number; line: number } | undefined;

  /**
   * Hands the record to `visit`; returns the index of `buf` (which starts at byte `base`) to go on
   * from: `next`, or the record's second line for a restart; -1 to stop.
   */
  const endRecord = (buf: Buffer, base: number, next: number): number => {
    const r: CsvRecord = { start, line: startLine, readerLine: startLine - quotedBreaksBefore, blank: empty, quoteError: quoteError || state === QUOTED, quotedBreaks, secondLine };
    quotedBreaksBefore += quotedBreaks;
    state = FIELD;
    empty = true;
    quoteError = false;
    quotedBreaks = 0;
    secondLine = -1;
    const verdict = visit(r);
    if (verdict === false) return -1;
    if (verdict === 'restart' && r.secondLine >= 0) {
      line = r.line + 1;
      afterCR = false;
      if (r.secondLine < base) {
        reopen = { offset: r.secondLine, line };
        return -1;
      }
      next = r.secondLine - base;
    }
    start = base + next;
    startLine = line;
    return next;
  };

  /** Reads `buf` (at byte `base`) from `i` up to `end`; returns the index reached, or -1 to stop. */
  const scan = (buf: Buffer, base: number, i: number, end: number): number => {
    while (bom < 3 && i < end) {
      // A UTF-8 byte-order mark at the start of the file is not part of the header.
      if (buf[i] !== BOM[bom]) bom = 3;
      else {
        bom++;
        i++;
        start = base + i;
      }
    }
    // The next \n, \r and quote at or after i (-1: none before `end`; -2: not looked for yet).
    let lf = -2;
    let cr = -2;
    let qt = -2;
    const next = (byte: number) => {
      const k = buf.indexOf(byte, i);
      return k >= 0 && k < end ? k : -1;
    };
    while (i < end) {
      if (state === FIELD && empty && !afterCR) {
        if (lf !== -1 && lf < i) lf = next(LF);
        if (qt !== -1 && qt < i) qt = next(quote);
        if (cr !== -1 && cr < i) cr = next(CR);
        if (lf >= 0 && (qt < 0 || qt > lf) && (cr < 0 || cr >= lf - 1)) {
          // A whole line without quotes or a lone \r: one record.
          empty = lf === i || (cr === i && cr === lf - 1);
          line++;
          const at = endRecord(buf, base, lf + 1);
          if (at < 0) return -1;
          if (at <= lf) lf = cr = qt = -2; // a restart went back
          i = at;
          continue;
        }
      }
      if (state === PLAIN) while (i < end && plainStop[buf[i]!] === 0) i++;
      else if (state === QUOTED) while (i < end && quotedStop[buf[i]!] === 0) i++;
      if (i === end) break;
      const b = buf[i]!;
      const pos = base + i++;
      if (b === LF && afterCR) {
        afterCR = false;
        if (secondLine === pos) secondLine++;
        if (state !== QUOTED) start = pos + 1;
        continue;
      }
      afterCR = false;
      if (b === LF || b === CR) {
        line++;
        afterCR = b === CR;
        if (state === QUOTED) {
          if (quotedBreaks++ === 0) secondLine = pos + 1;
          continue;
        }
        const at = endRecord(buf, base, i);
        if (at < 0) return -1;
        if (at < i) lf = cr = qt = -2;
        i = at;
        continue;
      }
      empty = false;
      if (state === QUOTED) state = CLOSED; // b is the quote, the only other byte that ends the quoted loop
      else if (b === d0 && (dLen === 1 || buf.subarray(i - 1, i - 1 + dLen).equals(delim))) {
        state = FIELD;
        i += dLen - 1;
      } else if (state === PLAIN) continue;
      else if (b === quote) state = QUOTED;
      else if (state === CLOSED) {
        if (b !== SPACE) {
          quoteError = true;
          state = PLAIN;
        }
      } else state = b === SPACE && state === FIELD && spaceOpens ? FIELD_SPACE : PLAIN;
    }
    return i;
  };

  // With a delimiter longer than one byte, a chunk's last bytes wait for the next so a delimiter
  // is always seen whole.
  let base = from.offset;
  let buf: Buffer = Buffer.alloc(0);
  let reached = 0;
  for await (const chunk of input) {
    buf = reached < buf.length ? Buffer.concat([buf.subarray(reached), chunk]) : chunk;
    base += reached;
    reached = scan(buf, base, 0, Math.max(0, buf.length - (dLen - 1)));
    if (reached < 0) return reopen;
  }
  // The end of the input: what is left, then the last record (a restart goes back into `buf`).
  for (let i = reached; ; ) {
    if (scan(buf, base, i, buf.length) < 0) return reopen;
    if (empty && state !== QUOTED) return undefined;
    i = endRecord(buf, base, buf.length);
    if (i < 0) return reopen;
  }
}
