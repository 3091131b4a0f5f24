/**
 * Hours: which hour a source file belongs to, and whether an hour is complete.
 */
import type { Completeness } from './types.ts';

const HOUR_MS = 3_600_000;

/**
 * The default rule: the first `YYYY/MM/DD/HH/` run of folders in the key (the firehose layout) or
 * a `dt=YYYY-MM-DD/hour=HH/` pair. Returns the hour's start (UTC ms), or undefined.
 */
export function hourFromKey(key: string): number | undefined {
  const m = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key) ?? /(?:^|\/)dt=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})\//.exec(key);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return Number.isNaN(t) ? undefined : t;
}

/** The hive partition values of an hour: { dt: 'YYYY-MM-DD', hour: 'HH' }. */
export function hourPartition(start: number): { dt: string; hour: string } {
  const iso = new Date(start).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function hourLabel(start: number): string {
  return new Date(start).toISOString().slice(0, 13) + 'h';
}

/** Why an hour is not complete yet, or undefined when it is. `present` are source keys relative to the source prefix. */
export function incompleteReason(rule: Completeness, start: number, present: readonly string[], now: number): string | undefined {
  if ('expected' in rule) {
    if (present.length >= rule.expected) return undefined;
    return `${present.length} of ${rule.expected} expected files are there`;
  }
  if ('names' in rule) {
    const have = new Set(present);
    const missing = rule.names(start).filter((n) => !have.has(n));
    if (missing.length === 0) return undefined;
    return `waiting for ${missing.length} named file(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`;
  }
  const watermark = rule.watermark ?? now;
  const ready = start + HOUR_MS + rule.graceMs;
  if (watermark >= ready) return undefined;
  return `the hour ends at ${new Date(start + HOUR_MS).toISOString()}; with ${rule.graceMs} ms of grace it is complete once the watermark reaches ${new Date(ready).toISOString()} (it is at ${new Date(watermark).toISOString()})`;
}
