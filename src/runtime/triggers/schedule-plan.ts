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
import { firesBetween } from '../../core/schedule/index.ts';

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
