/**
 * Cleaning of CSV text fields, as SQL applied to each raw VARCHAR before type coercion:
 * strip control characters, strip any other characters the caller names, trim, and turn empty
 * strings into NULL. Each step is on by default except `strip`.
 */
import { sqlString } from '../duck.ts';

export interface CleaningOptions {
  /** Trim whitespace at both ends. @defaultValue true */
  trim?: boolean;
  /** Remove control characters (U+0000–U+001F, U+007F). @defaultValue true */
  stripControl?: boolean;
  /** More characters to remove, listed in a string (e.g. '\u00a0\u200b'). @defaultValue '' */
  strip?: string;
  /** '' (after trimming) becomes NULL. @defaultValue true */
  emptyToNull?: boolean;
}

const control = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f';

/** The cleaned expression of a raw text expression. */
export function cleanSql(raw: string, o: CleaningOptions = {}): string {
  let e = raw;
  const remove = (o.stripControl ?? true ? control : '') + (o.strip ?? '');
  if (remove) e = `translate(${e}, ${sqlLiteralChars(remove)}, '')`;
  if (o.trim ?? true) e = `trim(${e})`;
  if (o.emptyToNull ?? true) e = `NULLIF(${e}, '')`;
  return e;
}

/** A string of characters as a SQL expression (chr() for the unprintable ones, which a literal cannot hold safely). */
function sqlLiteralChars(chars: string): string {
  const printable = [...chars].filter((c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) !== 127);
  const other = [...chars].filter((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);
  const parts = [...(printable.length ? [sqlString(printable.join(''))] : []), ...other.map((c) => `chr(${c.charCodeAt(0)})`)];
  return parts.join(' || ');
}
