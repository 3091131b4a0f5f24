import { ValidationError, show } from './errors.ts';

/** A duration: milliseconds as a number, or a human string such as '500ms', '30s', '15m', '2h', '7d'. */
export type Duration = number | string;

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

const pattern = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i;

/** Parses a duration to milliseconds. Throws a ValidationError naming `where` when it cannot. */
export function parseDuration(value: Duration, where = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new ValidationError(`${where}: ${show(value)} is not a valid duration; expected a non-negative number of milliseconds or a string like '30s', '15m', '2h'.`);
  }
  const match = typeof value === 'string' ? pattern.exec(value) : null;
  const factor = match ? unitMs[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw new ValidationError(`${where}: ${show(value)} is not a valid duration; expected a number of milliseconds or a string like '500ms', '30s', '15m', '2h', '7d'.`);
  }
  return Math.round(Number(match[1]) * factor);
}

/** Formats milliseconds as a short human string ('1.5s', '2m 3s'). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return s ? `${m}m ${s}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}
