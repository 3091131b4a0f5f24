/**
 * When a schedule fires. All times are epoch milliseconds; "after" is exclusive.
 *
 *   cron  wall-clock times in the time zone, with EventBridge Scheduler's daylight-saving rules
 *         (see cron-engine.ts).
 *   rate  start + k * period for k = 0, 1, 2, ... A fixed period, not wall-clock: rate(1 day) is
 *         every 24 h even across a daylight-saving change, as EventBridge. `start` defaults to the
 *         epoch, so without one rate(1 hour) fires on the hour (UTC) and rate(1 day) at 00:00 UTC;
 *         a runtime passes the schedule's start so ticks stay put across restarts.
 *   at    once, at the wall-clock time in the time zone; a time skipped by a daylight-saving jump
 *         fires when the wall clock has jumped (02:30 in a 02:00→03:00 jump fires at 03:30), one
 *         that occurs twice fires at the first.
 */
import { defaults } from '../defaults.ts';
import { ValidationError, show } from '../errors.ts';
import { cronFireTimes, lastCronFireTime } from './cron-engine.ts';
import { parseSchedule } from './parse.ts';
import { validateTimezone, wallToInstant } from './timezone.ts';
import type { ScheduleExpression } from './types.ts';

export interface FireTimeOptions {
  /** IANA time zone for cron and at. @defaultValue 'UTC' */
  timezone?: string;
  /** Anchor of rate schedules (epoch ms): ticks are start + k * period. @defaultValue 0 */
  start?: number;
}

export interface NextFireTimesOptions extends FireTimeOptions {
  /** Fire times strictly after this instant (epoch ms). */
  after: number;
  /** How many (1 to defaults.schedule.maxFireTimes). @defaultValue 1 */
  count?: number;
}

export interface FiresBetween {
  /** Fire times in (from, to], oldest first, at most `limit` of them. */
  times: number[];
  /** True when more than `limit` fell in the window (then `times` holds the oldest `limit`). */
  truncated: boolean;
  /** The latest fire time in the window, even when truncated (what a catch-up 'once' fires). */
  last: number | undefined;
}

function time(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`${name}: ${typeof value === 'number' ? String(value) : show(value)} is not a time; expected epoch milliseconds (a finite number).`);
  return value;
}

function limitOf(value: number | undefined, name: string): number {
  const max = defaults.schedule.maxFireTimes;
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ValidationError(`${name}: ${show(value)} is not a whole number from 1 to ${max}.`);
  return value;
}

function resolve(expression: ScheduleExpression | string): ScheduleExpression {
  return typeof expression === 'string' ? parseSchedule(expression) : expression;
}

/** Every fire time strictly after `after`, lazily, oldest first. */
export function* fireTimes(expression: ScheduleExpression | string, after: number, options: FireTimeOptions = {}): Generator<number> {
  const expr = resolve(expression);
  time(after, 'after');
  const timezone = validateTimezone(options.timezone ?? defaults.schedule.timezone);
  switch (expr.kind) {
    case 'cron':
      yield* cronFireTimes(expr, after, timezone);
      return;
    case 'rate': {
      const start = time(options.start ?? 0, 'start');
      let k = after < start ? 0 : Math.floor((after - start) / expr.periodMs) + 1;
      for (;;) yield start + k++ * expr.periodMs;
    }
    case 'at': {
      const t = wallToInstant(expr.wallMs, timezone).instant;
      if (t > after) yield t;
      return;
    }
  }
}

/** The next `count` fire times strictly after `options.after`, oldest first (fewer if it stops). */
export function nextFireTimes(expression: ScheduleExpression | string, options: NextFireTimesOptions): number[] {
  const count = limitOf(options.count, 'count');
  const out: number[] = [];
  for (const t of fireTimes(expression, options.after, options)) {
    out.push(t);
    if (out.length >= count) break;
  }
  return out;
}

/** The first fire time strictly after `after`, or undefined when the schedule never fires again. */
export function nextFireTime(expression: ScheduleExpression | string, after: number, timezone?: string, options: Omit<FireTimeOptions, 'timezone'> = {}): number | undefined {
  return nextFireTimes(expression, { ...options, after, ...(timezone === undefined ? {} : { timezone }) })[0];
}

/**
 * The fire times in (fromExclusive, toInclusive]: the ticks missed while nothing ran. Bounded:
 * at most `limit` (default and cap defaults.schedule.maxFireTimes) are listed, so a window of
 * years of minutely ticks costs no more than `limit` steps, and `last` still names the latest.
 */
export function firesBetween(
  expression: ScheduleExpression | string,
  fromExclusive: number,
  toInclusive: number,
  timezone?: string,
  options: Omit<FireTimeOptions, 'timezone'> & { limit?: number } = {},
): FiresBetween {
  const expr = resolve(expression);
  const limit = limitOf(options.limit ?? defaults.schedule.maxFireTimes, 'limit');
  const from = time(fromExclusive, 'fromExclusive');
  const to = time(toInclusive, 'toInclusive');
  const opts: FireTimeOptions = { ...(timezone === undefined ? {} : { timezone }), ...(options.start === undefined ? {} : { start: options.start }) };
  const times: number[] = [];
  let truncated = false;
  for (const t of fireTimes(expr, from, opts)) {
    if (t > to) break;
    if (times.length === limit) {
      truncated = true;
      break;
    }
    times.push(t);
  }
  const last = truncated ? lastFireTime(expr, to, opts) : times[times.length - 1];
  return { times, truncated, last };
}

/** The latest fire time at or before `atOrBefore`. */
function lastFireTime(expr: ScheduleExpression, atOrBefore: number, options: FireTimeOptions): number | undefined {
  const timezone = options.timezone ?? defaults.schedule.timezone;
  switch (expr.kind) {
    case 'cron':
      return lastCronFireTime(expr, atOrBefore, timezone);
    case 'rate': {
      const start = options.start ?? 0;
      return atOrBefore < start ? undefined : start + Math.floor((atOrBefore - start) / expr.periodMs) * expr.periodMs;
    }
    case 'at': {
      const t = wallToInstant(expr.wallMs, timezone).instant;
      return t <= atOrBefore ? t : undefined;
    }
  }
}
