/**
 * Parses one field of an EventBridge cron expression into its canonical text and the equivalent
 * croner text, rejecting whatever EventBridge would reject with a message naming the field.
 *
 * Grammar (per field; see cron-fields.ts for which field takes what):
 *   field  = '?' | item (',' item)*
 *   item   = '*' ['/' step] | value ['-' value] ['/' step]
 *   day-of-month only, alone:  'L' (last day) | 'LW' (last weekday) | n'W' (weekday nearest day n)
 *   day-of-week only, alone:   'L' (last day of the week: SAT) | value'L' (last such day of the
 *                              month, e.g. 6L = last Friday) | value'#'n (nth such day, n 1-5)
 * Steps follow Quartz, as EventBridge: 'a/s' is a, a+s, ... up to the field's maximum, and
 * '*\/s' starts at the field's minimum.
 */
import { allowedText, rangeText, type FieldSpec } from './cron-fields.ts';
import { scheduleError } from './schedule-error.ts';

export interface ParsedField {
  /** Canonical text (upper case). */
  text: string;
  /** The same field for croner (numbers only; '?' becomes '*'). */
  croner: string;
  /** True for '?'. */
  any: boolean;
}

interface Where {
  expression: string;
  where: string | undefined;
}

export function parseCronField(raw: string, spec: FieldSpec, at: Where): ParsedField {
  const text = raw.toUpperCase();
  /** `problem` starts with the offending text: 'day-of-week field ' + '8 is out of range 1-7 (SUN-SAT)'. */
  const fail = (problem: string, allowed = allowedText(spec)) => scheduleError(at.expression, at.where, `${spec.label} field ${problem}`, allowed);

  if (text === '?') {
    if (spec.key === 'dayOfMonth' || spec.key === 'dayOfWeek') return { text, croner: '*', any: true };
    throw fail(`${raw} uses ?, which only day-of-month and day-of-week allow (meaning 'any day')`);
  }
  if (text.includes('?')) throw fail(`${raw} uses ? inside a value; ? must be the whole field (meaning 'any day')`);

  // Parse the text as written (so messages quote it); names and letters match in any case.
  const items = raw.split(',');
  const special = parseSpecial(raw, spec, fail);
  if (special) return special;
  const croner: string[] = [];
  for (const item of items) {
    if (item === '') throw fail(`${raw} has an empty entry in its list (check for a stray or trailing comma)`);
    if (items.length > 1 && specialItem(item, spec)) {
      throw fail(`${raw} puts ${item} in a list; ${item.includes('#') ? "EventBridge allows one # expression in the field (e.g. '3#2'), not a list" : 'L and W must be the whole field'}`);
    }
    croner.push(parseItem(item, spec, fail));
  }
  return { text, croner: croner.join(','), any: false };
}

type Fail = (problem: string, allowed?: string) => Error;

/** True when an item is one of the forms that must stand alone. */
function specialItem(raw: string, spec: FieldSpec): boolean {
  const item = raw.toUpperCase();
  if (spec.key === 'dayOfMonth') return item === 'L' || item === 'LW' || /^\d+W$/.test(item);
  if (spec.key === 'dayOfWeek') return item === 'L' || /^[A-Z0-9]+L$/.test(item) || item.includes('#');
  return false;
}

/** The stand-alone forms: L, LW, nW in day-of-month; L, xL, x#n in day-of-week. */
function parseSpecial(raw: string, spec: FieldSpec, fail: Fail): ParsedField | undefined {
  if (raw.includes(',')) return undefined;
  const text = raw.toUpperCase();
  if (spec.key === 'dayOfMonth') {
    if (text === 'L' || text === 'LW') return { text, croner: text, any: false };
    const w = /^(\d+)W$/.exec(text);
    if (w) {
      const day = Number(w[1]);
      if (day < spec.min || day > spec.max) throw fail(`${raw} asks for the weekday nearest day ${day}, which is out of range ${rangeText(spec)}`);
      return { text, croner: `${day}W`, any: false };
    }
    return undefined;
  }
  if (spec.key !== 'dayOfWeek') return undefined;
  // L alone in day-of-week is the last day of the week, Saturday (7), as in Quartz.
  if (text === 'L') return { text, croner: '7', any: false };
  const last = /^([A-Z0-9]+)L$/.exec(text);
  if (last) {
    const day = value(last[1]!, raw, spec, fail);
    return { text, croner: `${day}L`, any: false };
  }
  if (text.includes('#')) {
    const nth = /^([A-Z0-9]+)#(\d+)$/.exec(text);
    if (!nth) throw fail(`${raw} is not a valid # expression; write day#n, e.g. '2#1' (first Monday) or 'FRI#3' (third Friday)`);
    const day = value(nth[1]!, raw, spec, fail);
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw fail(`${raw} asks for occurrence ${n} of the day in the month; # takes 1-5, e.g. '2#1' (first Monday)`);
    return { text, croner: `${day}#${n}`, any: false };
  }
  return undefined;
}

/** One list item: '*', '*\/s', 'a', 'a-b', 'a/s', 'a-b/s'. Returns croner text. */
function parseItem(item: string, spec: FieldSpec, fail: Fail): string {
  const slash = item.indexOf('/');
  const base = slash < 0 ? item : item.slice(0, slash);
  const stepText = slash < 0 ? undefined : item.slice(slash + 1);
  if (stepText !== undefined && !spec.step) throw fail(`${item} uses a / step, which day-of-week does not allow (EventBridge)`);

  let lo: number;
  let hi: number;
  if (base === '*') {
    if (stepText === undefined) return '*';
    lo = spec.min;
    hi = spec.max;
  } else {
    const dash = base.indexOf('-');
    if (dash < 0) {
      lo = value(base, item, spec, fail);
      hi = stepText === undefined ? lo : spec.max;
    } else {
      const right = base.slice(dash + 1);
      if (right.includes('-')) throw fail(`${item} has more than one -; write a range as low-high, e.g. ${spec.min}-${spec.max}`);
      lo = value(base.slice(0, dash), item, spec, fail);
      hi = value(right, item, spec, fail);
      if (lo > hi) {
        const split = `${base.slice(0, dash)}-${spec.names?.[spec.max - spec.min] ?? spec.max},${spec.names?.[0] ?? spec.min}-${right}`;
        throw fail(`${base} is a range that runs backwards; ranges go from low to high, so write it as two ranges: ${split}`);
      }
    }
  }
  if (stepText === undefined) return lo === hi ? `${lo}` : `${lo}-${hi}`;
  const width = spec.max - spec.min + 1;
  if (!/^\d+$/.test(stepText) || Number(stepText) < 1 || Number(stepText) > width) {
    throw fail(`${item} has the step /${stepText}; a step must be a whole number from 1 to ${width}, as in ${spec.key === 'minutes' ? '0/15' : `${spec.min}/2`}`);
  }
  return `${lo}-${hi}/${Number(stepText)}`;
}

/** A number or name in the field's range; `item` is the list item it came from, for messages. */
function value(token: string, item: string, spec: FieldSpec, fail: Fail): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max) throw fail(`${token} is out of range ${rangeText(spec)}`);
    return n;
  }
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  if (token === '') throw fail(`${item} has a range or step with a missing value`);
  const special = /#/.test(token) ? '#' : spec.names ? undefined : /[LW]/i.exec(token)?.[0]?.toUpperCase();
  if (special) {
    const allowedIn = special === '#' ? 'only in day-of-week' : special === 'W' ? 'only in day-of-month' : 'only in day-of-month and day-of-week';
    throw fail(`${item} uses ${special}, which EventBridge allows ${allowedIn}, as the whole field`);
  }
  const names = spec.names ? ` or a name ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
  throw fail(`${item === token ? token : `${item} has ${token}, which`} is not a number${names}`);
}
