import { cronFields } from './cron-fields.ts';
import { parseCronField, type ParsedField } from './parse-cron-field.ts';
import { scheduleError } from './schedule-error.ts';
import type { CronFields, CronSchedule } from './types.ts';

const layout = 'cron(minutes hours day-of-month month day-of-week year)';

/**
 * Parses the inside of `cron(...)`. EventBridge rules enforced here, beyond each field's own:
 * exactly six fields, and exactly one of day-of-month and day-of-week is '?'.
 */
export function parseCron(expression: string, inner: string, where: string | undefined): CronSchedule {
  const parts = inner.trim() === '' ? [] : inner.trim().split(/\s+/);
  if (parts.length !== 6) {
    const hint =
      parts.length === 5 ? " A 5-field Unix cron has no year field: add ' *' at the end, and put ? in day-of-month or day-of-week." :
      parts.length === 7 ? ' Seconds (Quartz style) are not supported: drop the first field.' : '';
    throw scheduleError(expression, where, `it has ${parts.length} field${parts.length === 1 ? '' : 's'}, and an EventBridge cron expression has exactly 6`, `Write ${layout}, e.g. 'cron(0 12 * * ? *)'.${hint}`);
  }
  const at = { expression, where };
  const parsed = cronFields.map((spec, i) => parseCronField(parts[i]!, spec, at));
  const [minutes, hours, dom, month, dow, year] = parsed as [ParsedField, ParsedField, ParsedField, ParsedField, ParsedField, ParsedField];

  if (dom.any && dow.any) {
    throw scheduleError(expression, where, 'day-of-month and day-of-week are both ?', "One of them must name the days: use * in day-of-month for every day, e.g. 'cron(0 12 * * ? *)', or days of the week, e.g. 'cron(0 12 ? * MON-FRI *)'");
  }
  if (!dom.any && !dow.any) {
    throw scheduleError(
      expression,
      where,
      `day-of-month (${dom.text}) and day-of-week (${dow.text}) are both set`,
      `EventBridge needs ? in one of them: 'cron(${parts[0]} ${parts[1]} ${dom.text} ${parts[3]} ? ${parts[5]})' or 'cron(${parts[0]} ${parts[1]} ? ${parts[3]} ${dow.text} ${parts[5]})'`,
    );
  }
  const fields: CronFields = { minutes: minutes.text, hours: hours.text, dayOfMonth: dom.text, month: month.text, dayOfWeek: dow.text, year: year.text };
  return {
    kind: 'cron',
    expression: `cron(${parsed.map((f) => f.text).join(' ')})`,
    fields,
    pattern: ['0', ...parsed.map((f) => f.croner)].join(' '),
  };
}
