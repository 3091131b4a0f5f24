import { ValidationError, show } from '../errors.ts';

/** The forms an expression may take, quoted in errors that cannot be more specific. */
export const expressionForms = "cron(minutes hours day-of-month month day-of-week year), e.g. 'cron(0 12 * * ? *)'; rate(value unit), e.g. 'rate(5 minutes)'; or at(yyyy-mm-ddThh:mm:ss), e.g. 'at(2026-01-01T06:00:00)'";

/**
 * The one way schedule errors are made, so every message has the same shape:
 * `<where>: schedule "<expression>" is invalid: <problem>. <what is allowed>`.
 */
export function scheduleError(expression: string, where: string | undefined, problem: string, allowed: string): ValidationError {
  const subject = `schedule ${show(expression, 120)}`;
  const head = where ? `${where}: ${subject}` : subject.charAt(0).toUpperCase() + subject.slice(1);
  return new ValidationError(`${head} is invalid: ${problem}.`, { action: allowed.endsWith('.') ? allowed : `${allowed}.` });
}
