/**
 * Fire times of a parsed cron schedule, computed by croner and corrected to EventBridge
 * Scheduler's daylight-saving rules: a wall-clock time skipped when clocks go forward does not
 * fire, and a wall-clock time repeated when clocks go back fires once, at its first occurrence.
 * (croner on its own moves a skipped fixed-time run past the gap, and fires interval jobs on both
 * passes of a repeated hour.)
 */
import { Cron } from 'croner';
import { wallClock, wallToInstant } from './timezone.ts';
import type { CronSchedule } from './types.ts';

const cache = new Map<string, Cron>();
const cacheLimit = 256;

function cronFor(pattern: string, timezone: string): Cron {
  const key = `${timezone} ${pattern}`;
  let cron = cache.get(key);
  if (!cron) {
    // Quartz weekday numbering (SUN=1) as EventBridge; '?' was already made '*', and with AND
    // logic a '*' day field leaves the other one in charge.
    cron = new Cron(pattern, { mode: '7-part', alternativeWeekdays: true, domAndDow: true, timezone });
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
    cache.set(key, cron);
  }
  return cron;
}

/** True when `t` is a run EventBridge would make: not moved out of a gap, not a repeat pass. */
function eventBridgeRun(cron: Cron, t: number, timezone: string): boolean {
  if (timezone === 'UTC') return true;
  if (wallToInstant(wallClock(t, timezone), timezone).instant !== t) return false;
  return cron.match(new Date(t));
}

/** Fire times strictly after `after`, in order, until the pattern has no more (year 2199 at most). */
export function* cronFireTimes(schedule: CronSchedule, after: number, timezone: string): Generator<number> {
  const cron = cronFor(schedule.pattern, timezone);
  let cursor = after;
  for (;;) {
    const next = cron.nextRun(new Date(cursor));
    if (!next) return;
    const t = next.getTime();
    // Guard against a run that does not move forward (croner works in whole seconds).
    cursor = t > cursor ? t : cursor + 1000;
    if (t > after && eventBridgeRun(cron, t, timezone)) yield t;
  }
}

/** The latest fire time at or before `atOrBefore`, or undefined. */
export function lastCronFireTime(schedule: CronSchedule, atOrBefore: number, timezone: string): number | undefined {
  const cron = cronFor(schedule.pattern, timezone);
  // previousRuns looks strictly before its reference; croner works in whole seconds.
  let reference = Math.floor(atOrBefore / 1000) * 1000 + 1000;
  for (let i = 0; i < 16; i++) {
    const [prev] = cron.previousRuns(1, new Date(reference));
    if (!prev) return undefined;
    const t = prev.getTime();
    if (t <= atOrBefore && eventBridgeRun(cron, t, timezone)) return t;
    reference = Math.min(t, reference - 1000);
  }
  return undefined;
}
