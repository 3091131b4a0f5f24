/**
 * Listing a bucket as S3's ListObjectsV2 does: keys in UTF-8 byte order, an optional prefix, an
 * optional delimiter grouping keys into common prefixes, at most maxKeys keys and common prefixes
 * together per page, startAfter, and an opaque continuation token.
 *
 * Cost: a page reads only the index range it returns. Rows come from the primary key (bucket, key)
 * in order; when a key falls into a common prefix, the scan jumps past every key of that prefix
 * with a new range seek (to the smallest string greater than all of them) rather than reading them.
 *
 * Positions are compared as UTF-8 bytes (SQLite's BINARY collation on TEXT); JavaScript's `<`
 * compares UTF-16 code units, which orders some characters differently, so it is not used.
 */
import { ValidationError, show } from '../../../core/errors.ts';
import { defaults } from '../../../core/defaults.ts';
import type { ListOptions, ListResult, ObjectHead } from '../../../ports/objects.ts';
import { toHead } from './head.ts';
import type { ObjectRow } from './queries.ts';
import type { ObjectsState } from './shared.ts';

/** Where a scan starts: at `key` (inclusive) or just after it. */
interface Bound {
  key: string;
  inclusive: boolean;
}

/** What a continuation token holds: the last entry returned, and whether it was a common prefix. */
interface Token {
  v: 1;
  k: string;
  p?: 1;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when no
 * such string exists. Increments the last code point (UTF-8 byte order is code point order),
 * skipping the surrogate range and carrying past U+10FFFF.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeToken(bucket: string, text: string): Token {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    if (token.v === 1 && typeof token.k === 'string') return token;
  } catch {
    // reported below
  }
  throw new ValidationError(`The continuation token ${show(text, 40)} for bucket "${bucket}" is not one this store issued.`, {
    action: 'Pass nextContinuationToken from the previous page unchanged.',
  });
}

/** The later of two start bounds. */
function later(a: Bound, b: Bound): Bound {
  const c = compareUtf8(a.key, b.key);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

function checkOptions(bucket: string, options: ListOptions): number {
  for (const field of ['prefix', 'delimiter', 'continuationToken', 'startAfter'] as const) {
    const value = options[field];
    if (value !== undefined && typeof value !== 'string') {
      throw new ValidationError(`List option ${field} for bucket "${bucket}" is ${show(value)}, not a string.`, { action: `Pass ${field} as a string, or leave it out.` });
    }
  }
  const max = options.maxKeys ?? defaults.objects.maxKeys;
  if (!Number.isInteger(max) || max < 0) {
    throw new ValidationError(`List option maxKeys for bucket "${bucket}" is ${show(max)}.`, { action: `Pass a whole number from 0 to ${defaults.objects.maxKeys}.` });
  }
  return Math.min(max, defaults.objects.maxKeys);
}

/** One page of the listing of `bucket` (which the caller has checked is declared). */
export function listPage(s: ObjectsState, bucket: string, options: ListOptions = {}): ListResult {
  const maxKeys = checkOptions(bucket, options);
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter || undefined;
  const upper = prefix === '' ? undefined : prefixEnd(prefix);

  let start: Bound | undefined = { key: prefix, inclusive: true };
  if (options.startAfter) start = later(start, { key: options.startAfter, inclusive: false });
  if (options.continuationToken) {
    const token = decodeToken(bucket, options.continuationToken);
    const resume = token.p ? prefixEnd(token.k) : token.k;
    start = resume === undefined ? undefined : later(start, { key: resume, inclusive: token.p === 1 });
  }

  const objects: ObjectHead[] = [];
  const commonPrefixes: string[] = [];
  let last: Token | undefined;

  const statement = (from: Bound) => {
    const { after, from: at, afterBelow, fromBelow } = s.q.scan;
    return upper === undefined ? (from.inclusive ? at : after) : from.inclusive ? fromBelow : afterBelow;
  };
  const params = (from: Bound, limit: number) => (upper === undefined ? [bucket, from.key, limit] : [bucket, from.key, upper, limit]);
  const scan = (from: Bound, limit: number): Iterable<ObjectRow> => statement(from).iterate(...params(from, limit));

  // Fill the page; each pass scans until the page is full, the range ends, or a common prefix
  // makes it seek.
  while (start !== undefined && objects.length + commonPrefixes.length < maxKeys) {
    const room = maxKeys - objects.length - commonPrefixes.length;
    let rows = 0;
    let seek = false;
    let next: Bound | undefined;
    for (const row of scan(start, room)) {
      rows++;
      const cut = delimiter === undefined ? -1 : row.key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const common = row.key.slice(0, cut + delimiter!.length);
        commonPrefixes.push(common);
        last = { v: 1, k: common, p: 1 };
        const end = prefixEnd(common);
        next = end === undefined ? undefined : { key: end, inclusive: true };
        seek = true;
        break;
      }
      objects.push(toHead(row));
      last = { v: 1, k: row.key };
      next = { key: row.key, inclusive: false };
    }
    const rangeEnded = !seek && rows < room;
    start = rangeEnded ? undefined : next;
  }

  // Truncated when anything is left in range after the last entry returned.
  const more = start !== undefined && last !== undefined && statement(start).get(...params(start, 1)) !== undefined;
  return { objects, commonPrefixes, isTruncated: more, ...(more && last ? { nextContinuationToken: encodeToken(last) } : {}) };
}
