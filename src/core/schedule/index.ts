/** EventBridge schedule expressions: parsing, validation and fire times. Pure: no I/O, no timers. */
export type { AtSchedule, CronFields, CronSchedule, RateSchedule, RateUnit, ScheduleExpression } from './types.ts';
export { parseSchedule } from './parse.ts';
export { fireTimes, firesBetween, nextFireTime, nextFireTimes, type FireTimeOptions, type FiresBetween, type NextFireTimesOptions } from './fire-times.ts';
export { validateTimezone } from './timezone.ts';
