import { scheduleError } from './schedule-error.ts';
import type { RateSchedule, RateUnit } from './types.ts';

const unitMs: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const allowed = "Write rate(value unit) with a positive whole value and the unit minute, hour or day: singular when the value is 1, plural otherwise, e.g. 'rate(1 minute)', 'rate(5 minutes)', 'rate(1 day)'";

/**
 * Parses the inside of `rate(...)`, with EventBridge's rule on units: singular for 1
 * ('rate(1 hour)'), plural for more ('rate(2 hours)').
 */
export function parseRate(expression: string, inner: string, where: string | undefined): RateSchedule {
  const parts = inner.trim() === '' ? [] : inner.trim().split(/\s+/);
  if (parts.length !== 2) {
    throw scheduleError(expression, where, `it has ${parts.length} part${parts.length === 1 ? '' : 's'} inside rate(), and a rate needs exactly 2 (a value and a unit)`, allowed);
  }
  const [valueText, unitText] = parts as [string, string];
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1 || !Number.isSafeInteger(Number(valueText))) {
    throw scheduleError(expression, where, `the value ${valueText} is not a positive whole number`, allowed);
  }
  const value = Number(valueText);
  const word = unitText.toLowerCase();
  const unit = (word.endsWith('s') ? word.slice(0, -1) : word) as RateUnit;
  if (!Object.hasOwn(unitMs, unit)) {
    const hint = /^(s|sec|second|ms|millisecond)s?$/.test(word) ? '; the finest EventBridge rate is 1 minute' : '';
    throw scheduleError(expression, where, `the unit ${unitText} is not one of minute(s), hour(s), day(s)${hint}`, allowed);
  }
  const plural = word.endsWith('s');
  if (value === 1 && plural) throw scheduleError(expression, where, `the unit ${unitText} is plural with the value 1`, `Write 'rate(1 ${unit})': EventBridge wants the singular for 1 and the plural for more`);
  if (value > 1 && !plural) throw scheduleError(expression, where, `the unit ${unitText} is singular with the value ${value}`, `Write 'rate(${value} ${unit}s)': EventBridge wants the plural for values above 1`);
  return { kind: 'rate', expression: `rate(${value} ${unit}${plural ? 's' : ''})`, value, unit, periodMs: value * unitMs[unit] };
}
