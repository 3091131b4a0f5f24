import { yearField } from './cron-fields.ts';
import { scheduleError } from './schedule-error.ts';
import type { AtSchedule } from './types.ts';

const allowed = "Write at(yyyy-mm-ddThh:mm:ss), a wall-clock time read in the schedule's time zone, e.g. 'at(2026-01-01T06:00:00)'";
const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Parses the inside of `at(...)`: a one-time schedule (EventBridge Scheduler), no offset. */
export function parseAt(expression: string, inner: string, where: string | undefined): AtSchedule {
  const text = inner.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) {
    const hint = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? ' (no Z or UTC offset: the time zone is set on the schedule)' : '';
    throw scheduleError(expression, where, `${text === '' ? 'the time is empty' : `${text} is not a date and time in the form yyyy-mm-ddThh:mm:ss`}${hint}`, allowed);
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (year < yearField.min || year > yearField.max) throw scheduleError(expression, where, `the year ${year} is out of range ${yearField.min}-${yearField.max}`, allowed);
  if (month < 1 || month > 12) throw scheduleError(expression, where, `the month ${m[2]} is out of range 01-12`, allowed);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw scheduleError(expression, where, `the day ${m[3]} does not exist in ${monthNames[month - 1]} ${year}, which has ${daysInMonth} days`, allowed);
  if (hour > 23) throw scheduleError(expression, where, `the hour ${m[4]} is out of range 00-23`, allowed);
  if (minute > 59) throw scheduleError(expression, where, `the minute ${m[5]} is out of range 00-59`, allowed);
  if (second > 59) throw scheduleError(expression, where, `the second ${m[6]} is out of range 00-59`, allowed);
  return { kind: 'at', expression: `at(${text})`, local: text, wallMs: Date.UTC(year, month - 1, day, hour, minute, second) };
}
