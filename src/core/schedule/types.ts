/**
 * Parsed EventBridge schedule expressions. Plain data (no class instances), so a parsed schedule
 * can be stored, sent to a worker or compared with `===` on its canonical `expression`.
 */

/** The six fields of an EventBridge cron expression, in canonical form (upper-case names). */
export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

/** `cron(minutes hours day-of-month month day-of-week year)`, read in the schedule's time zone. */
export interface CronSchedule {
  kind: 'cron';
  /** Canonical text: single spaces, upper-case names, e.g. 'cron(0 18 ? * MON-FRI *)'. */
  expression: string;
  fields: CronFields;
  /**
   * The same schedule as a 7-part croner pattern (seconds first, Quartz weekday numbering, day
   * names replaced by numbers). An implementation detail kept here so it is computed once.
   */
  pattern: string;
}

export type RateUnit = 'minute' | 'hour' | 'day';

/** `rate(n unit)`: every n units, counted from the schedule's start (a fixed period in ms). */
export interface RateSchedule {
  kind: 'rate';
  expression: string;
  value: number;
  unit: RateUnit;
  periodMs: number;
}

/** `at(yyyy-mm-ddThh:mm:ss)`: fires once, at that wall-clock time in the schedule's time zone. */
export interface AtSchedule {
  kind: 'at';
  expression: string;
  /** The wall-clock time as written, 'yyyy-mm-ddThh:mm:ss'. */
  local: string;
  /** The wall-clock time as if it were UTC (Date.UTC of its fields); the time zone places it. */
  wallMs: number;
}

export type ScheduleExpression = CronSchedule | RateSchedule | AtSchedule;
