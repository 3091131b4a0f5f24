/**
 * Which ticks a schedule fires now, given the last tick it handled and the clock (pure).
 *
 * The window is the ticks in (last, now]. A tick at most `graceMs` old is on time; older ones were
 * missed (the engine was down). catchUp decides:
 *   skip  fire the on-time ticks only; the missed ones are passed over
 *   once  fire the latest tick of the window, once (the missed ones before it are passed over)
 *   all   fire every tick of the window, oldest first
 * Returns the next tick to fire (then `last` becomes it), or the tick to pass over to (then
 * `last` becomes it without firing), or nothing to do.
 */
import type { ScheduleConfig } from '../../core/resources/schedule.ts';
import { firesBetween, nextFireTimes } from '../../core/schedule/index.ts';

export type TickPlan = { fire: number } | { skipTo: number } | undefined;

export function planTick(s: ScheduleConfig, last: number, now: number, anchor: number, graceMs: number): TickPlan {
  if (now <= last) return undefined;
  const w = firesBetween(s.expression, last, now, s.timezone, { start: anchor });
  if (w.last === undefined) return undefined;
  switch (s.catchUp) {
    case 'all':
      return { fire: w.times[0]! };
    case 'once':
      return { fire: w.last };
    case 'skip': {
      const onTime = w.times.find((t) => now - t <= graceMs) ?? (now - w.last <= graceMs ? w.last : undefined);
      return onTime !== undefined ? { fire: onTime } : { skipTo: w.last };
    }
  }
}

/**
 * The next `count` ticks as the schedule's runner fires them (what `baton schedules` shows): a
 * rate() from the schedule's own anchor, the time it was first registered (its durable state), not
 * from the epoch; none before the last tick handled. A schedule no engine has registered yet gets
 * its anchor when one starts, so its ticks are shown as from `now`.
 */
export function upcomingTicks(s: ScheduleConfig, now: number, count: number, state?: { anchor: number; last: number }): number[] {
  return nextFireTimes(s.expression, { after: Math.max(now, state?.last ?? now), timezone: s.timezone, count, start: state?.anchor ?? now });
}
