/**
 * Wall-clock arithmetic in IANA time zones, on Intl only (no time zone database of our own).
 * "Wall ms" is a local date and time encoded as if it were UTC: Date.UTC(y, m, d, h, mi, s).
 */
import { ValidationError, show } from '../errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
/** IANA names: 'UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'EST5EDT'. */
const ianaName = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, f);
  }
  return f;
}

/** Returns the time zone when it is a known IANA name; else throws a ValidationError naming `where`. */
export function validateTimezone(timezone: string, where = 'time zone'): string {
  let known = typeof timezone === 'string' && ianaName.test(timezone);
  if (known && !formatters.has(timezone)) {
    try {
      formatter(timezone);
    } catch {
      known = false;
    }
  }
  if (!known) {
    throw new ValidationError(`${where}: ${show(timezone)} is not a known IANA time zone name.`, { action: "Use a name such as 'UTC', 'Europe/Paris' or 'America/New_York' (UTC offsets such as '+02:00' are not accepted)." });
  }
  return timezone;
}

/** The wall-clock time at instant `ms` in `timezone`, as wall ms (whole seconds; years 1000-9999). */
export function wallClock(ms: number, timezone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatter(timezone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The offset from UTC (ms) in effect at instant `ms`, to the second. */
export function offsetAt(ms: number, timezone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClock(whole, timezone) - whole;
}

export type WallInstant =
  | { kind: 'single'; instant: number }
  /** The wall time occurs twice (clocks went back): `instant` is the first, `later` the second. */
  | { kind: 'ambiguous'; instant: number; later: number }
  /** The wall time never occurs (clocks went forward): `instant` is where the jump lands it. */
  | { kind: 'gap'; instant: number };

/**
 * The instant(s) a wall-clock time names in a time zone. Looks at the offsets a day either side,
 * which is enough for any real transition (at most one per day).
 */
export function wallToInstant(wallMs: number, timezone: string): WallInstant {
  const before = offsetAt(wallMs - 86_400_000, timezone);
  const after = offsetAt(wallMs + 86_400_000, timezone);
  const candidates = [...new Set([wallMs - before, wallMs - after])].filter((t) => wallClock(t, timezone) === wallMs).sort((a, b) => a - b);
  const [first, second] = candidates;
  if (first !== undefined && second !== undefined) return { kind: 'ambiguous', instant: first, later: second };
  if (first !== undefined) return { kind: 'single', instant: first };
  // In a gap: read with the offset in force before the jump, so 02:30 in a 02:00→03:00 jump lands
  // at 03:30 (Temporal's 'compatible' choice).
  return { kind: 'gap', instant: wallMs - before };
}
