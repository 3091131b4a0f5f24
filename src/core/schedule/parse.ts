import { parseAt } from './parse-at.ts';
import { parseCron } from './parse-cron.ts';
import { parseRate } from './parse-rate.ts';
import { expressionForms, scheduleError } from './schedule-error.ts';
import type { ScheduleExpression } from './types.ts';

const parsers = { cron: parseCron, rate: parseRate, at: parseAt } as const;

/**
 * Parses and validates an EventBridge schedule expression: `cron(...)`, `rate(...)` or `at(...)`.
 * Throws a ValidationError that quotes the expression, names the field at fault and says what
 * is allowed. `where` prefixes the message (e.g. 'schedule "nightly"').
 */
export function parseSchedule(expression: string, where?: string): ScheduleExpression {
  if (typeof expression !== 'string') {
    throw scheduleError(String(expression), where, `expected a string, got ${typeof expression}`, `Write ${expressionForms}`);
  }
  const m = /^\s*([a-z]+)\((.*)\)\s*$/is.exec(expression);
  const kind = m?.[1]?.toLowerCase();
  if (!m || !kind || !Object.hasOwn(parsers, kind)) {
    const bare = /^\s*\S+(\s+\S+){4,5}\s*$/.test(expression) && !expression.includes('(') ? ' (a bare cron line needs to be wrapped: cron(...))' : '';
    throw scheduleError(expression, where, `it is not cron(...), rate(...) or at(...)${bare}`, `Write ${expressionForms}`);
  }
  return parsers[kind as keyof typeof parsers](expression, m[2]!, where);
}
