import type { CronFields } from './types.ts';

/** What one field of an EventBridge cron expression accepts (from the EventBridge reference). */
export interface FieldSpec {
  key: keyof CronFields;
  /** The field's name in messages: 'minutes', 'day-of-week', ... */
  label: string;
  min: number;
  max: number;
  /** Names for min, min+1, ... (JAN-DEC, SUN-SAT). */
  names?: readonly string[];
  /** The wildcards EventBridge allows in the field, as its reference lists them. */
  wildcards: string;
  /** Whether `/` steps are allowed (not in day-of-week, as EventBridge). */
  step: boolean;
}

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
/** Quartz numbering, as EventBridge: SUN=1 ... SAT=7. */
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

export const minutesField: FieldSpec = { key: 'minutes', label: 'minutes', min: 0, max: 59, wildcards: ', - * /', step: true };
export const hoursField: FieldSpec = { key: 'hours', label: 'hours', min: 0, max: 23, wildcards: ', - * /', step: true };
export const dayOfMonthField: FieldSpec = { key: 'dayOfMonth', label: 'day-of-month', min: 1, max: 31, wildcards: ', - * ? / L W', step: true };
export const monthField: FieldSpec = { key: 'month', label: 'month', min: 1, max: 12, names: monthNames, wildcards: ', - * /', step: true };
export const dayOfWeekField: FieldSpec = { key: 'dayOfWeek', label: 'day-of-week', min: 1, max: 7, names: dayNames, wildcards: ', - * ? L #', step: false };
export const yearField: FieldSpec = { key: 'year', label: 'year', min: 1970, max: 2199, wildcards: ', - * /', step: true };

/** The six fields in the order they are written. */
export const cronFields: readonly FieldSpec[] = [minutesField, hoursField, dayOfMonthField, monthField, dayOfWeekField, yearField];

/** '0-59', '1-12 (JAN-DEC)', '1-7 (SUN-SAT)'. */
export function rangeText(spec: FieldSpec): string {
  const names = spec.names ? ` (${spec.names[0]}-${spec.names[spec.names.length - 1]})` : '';
  return `${spec.min}-${spec.max}${names}`;
}

/** What the field allows, for the "what to do" part of an error. */
export function allowedText(spec: FieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
  return `The ${spec.label} field takes ${spec.min}-${spec.max}${names} with the wildcards ${spec.wildcards}`;
}
