import { CommanderError } from 'commander';
import { BatonError } from '../core/errors.ts';

/**
 * An error as `--json` prints it (on stderr): {"error":{"name","code","message","action"}}, the
 * message without the action (BatonError appends it), a command-line mistake as a UsageError, and a
 * stack only for what is neither (a bug).
 */
export function errorJson(err: unknown): string {
  if (err instanceof BatonError) {
    const action = err.action;
    const message = action && err.message.endsWith(` ${action}`) ? err.message.slice(0, -action.length - 1) : err.message;
    return JSON.stringify({ error: { name: err.name, code: err.code, message, ...(action ? { action } : {}) } });
  }
  if (err instanceof CommanderError) {
    // A usage error: the command line, not Baton, is at fault.
    return JSON.stringify({ error: { name: 'UsageError', code: err.code, message: err.message.replace(/^error: /, ''), action: 'See `baton --help`, or `baton <command> --help`.' } });
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return JSON.stringify({ error: { name: err.name, code: typeof code === 'string' ? code : 'INTERNAL', message: err.message, ...(err.stack ? { stack: err.stack } : {}) } });
  }
  return JSON.stringify({ error: { name: 'Error', code: 'INTERNAL', message: String(err) } });
}

/** Prints rows as an aligned table, or JSON with --json. */
export function printRows(rows: Array<Record<string, unknown>>, json: boolean, empty = '(none)'): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const cols = Object.keys(rows[0]!);
  const text = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const t of text) console.log(t.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Prints one value: JSON with --json, else a readable form. */
export function printValue(value: unknown, json: boolean): void {
  if (json || typeof value !== 'string') console.log(JSON.stringify(value, null, json ? 2 : 0));
  else console.log(value);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'string') return v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
