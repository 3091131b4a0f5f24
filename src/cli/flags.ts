/**
 * Option parsers shared by the commands, so a flag takes what the definitions take: every duration
 * flag (`--delay 5s`, `--deadline 1m`) goes through core/duration.ts, as `visibilityTimeout: '30s'`
 * does, and a bad value is a ValidationError naming the flag.
 */
import { parseDuration } from '../core/duration.ts';
import { ValidationError } from '../core/errors.ts';

/** A commander parser for a duration flag: '500ms', '5s', '15m', '2h', '7d', or a number of milliseconds. */
export function durationFlag(flag: string): (value: string) => number {
  return (value) => parseDuration(/^\s*\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) : value, flag);
}

/** A commander parser for a whole-number flag of at least `min`. */
export function wholeFlag(flag: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new ValidationError(`${flag} ${JSON.stringify(value)} must be a whole number of at least ${min}.`);
    return n;
  };
}

/** A JSON object given on the command line (a key, an item), or a ValidationError saying how to write one. */
export function jsonObjectArg(what: string, text: string, example: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError(`The ${what} ${text} is not a JSON object.`, { action: `Give it as JSON, e.g. '${example}'.` });
}
