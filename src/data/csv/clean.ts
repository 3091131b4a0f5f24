/**
 * Cleaning of CSV text fields, applied in SQL to each raw VARCHAR before type coercion
 * (standardize/stage.ts): strip control characters, strip any other characters the caller names,
 * trim, and turn empty strings into NULL. Each step is on by default except `strip`.
 *
 * Stripping is regexp_replace, not translate (DuckDB's translate measured ~50x slower), and only
 * in rows that have something to strip (one regexp_matches per row).
 */
import type { FieldCleaning } from '../standardize/stage.ts';

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

/** A RE2 character class of the characters to remove (each as \x{hex}, so none needs escaping). */
function charClass(stripControl: boolean, extra: string): string | undefined {
  const parts = stripControl ? ['\\x{0}-\\x{1f}', '\\x{7f}'] : [];
  for (const ch of new Set(extra)) parts.push(`\\x{${ch.codePointAt(0)!.toString(16)}}`);
  return parts.length ? `[${parts.join('')}]` : undefined;
}

/** The cleaning of the checked-rows pipeline (standardize/stage.ts) for these options. */
export function fieldCleaning(o: CleaningOptions = {}): FieldCleaning {
  const strip = charClass(o.stripControl ?? true, o.strip ?? '');
  return {
    ...(strip ? { strip, stripIsControl: (o.stripControl ?? true) && (o.strip ?? '') === '' } : {}),
    trim: o.trim ?? true,
    emptyToNull: o.emptyToNull ?? true,
    // An ASCII character to strip could be part of a typed value ('-' in a date): then every value is
    // cleaned first. A value that casts is all ASCII, so other characters cannot be in it.
    castRawFirst: [...(o.strip ?? '')].every((ch) => ch.codePointAt(0)! > 0x7f),
  };
}
