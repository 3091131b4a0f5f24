import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { parseSchedule } from '../../src/core/schedule/index.ts';

/** The ValidationError message for an expression (fails the test if it parses). */
function errorOf(expression: string, where?: string): string {
  try {
    parseSchedule(expression, where);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error(`expected ${expression} to be rejected`);
}

describe('parseSchedule: valid expressions', () => {
  it.each([
    ['cron(0/20 6-8 * * ? *)', 'cron(0/20 6-8 * * ? *)', '0 0-59/20 6-8 * * * *'],
    ['cron(15 10 ? * 6L 2026)', 'cron(15 10 ? * 6L 2026)', '0 15 10 * * 6L 2026'],
    ['cron(0 12 L * ? *)', 'cron(0 12 L * ? *)', '0 0 12 L * * *'],
    ['cron(0 9 ? * 2#1 *)', 'cron(0 9 ? * 2#1 *)', '0 0 9 * * 2#1 *'],
    ['cron(0 18 ? * mon-fri *)', 'cron(0 18 ? * MON-FRI *)', '0 0 18 * * 2-6 *'],
    ['cron(0 9 LW * ? *)', 'cron(0 9 LW * ? *)', '0 0 9 LW * * *'],
    ['cron(0 9 15W * ? *)', 'cron(0 9 15W * ? *)', '0 0 9 15W * * *'],
    ['cron(0 9 ? * L *)', 'cron(0 9 ? * L *)', '0 0 9 * * 7 *'],
    ['cron(0 9 ? * FRI#3 *)', 'cron(0 9 ? * FRI#3 *)', '0 0 9 * * 6#3 *'],
    ['cron(0 0 1 JAN,JUL ? 2026-2030/2)', 'cron(0 0 1 JAN,JUL ? 2026-2030/2)', '0 0 0 1 1,7 * 2026-2030/2'],
    ['cron(*/15 * * * ? *)', 'cron(*/15 * * * ? *)', '0 0-59/15 * * * * *'],
    ['  cron( 5   4 1/10 * ?  * )  ', 'cron(5 4 1/10 * ? *)', '0 5 4 1-31/10 * * *'],
    ['cron(0 8 ? 1/3 SUN,SAT *)', 'cron(0 8 ? 1/3 SUN,SAT *)', '0 0 8 * 1-12/3 1,7 *'],
  ])('%s', (input, canonical, pattern) => {
    const parsed = parseSchedule(input);
    expect(parsed).toMatchObject({ kind: 'cron', expression: canonical, pattern });
  });

  it('keeps each cron field in canonical form', () => {
    expect(parseSchedule('cron(0 18 ? * mon-fri *)')).toMatchObject({
      fields: { minutes: '0', hours: '18', dayOfMonth: '?', month: '*', dayOfWeek: 'MON-FRI', year: '*' },
    });
  });

  it.each([
    ['rate(1 minute)', 1, 'minute', 60_000],
    ['rate(5 minutes)', 5, 'minute', 300_000],
    ['rate(1 hour)', 1, 'hour', 3_600_000],
    ['rate(12 hours)', 12, 'hour', 43_200_000],
    ['rate(1 day)', 1, 'day', 86_400_000],
    ['rate(7 days)', 7, 'day', 604_800_000],
  ])('%s', (input, value, unit, periodMs) => {
    expect(parseSchedule(input)).toEqual({ kind: 'rate', expression: input, value, unit, periodMs });
  });

  it('at(...) keeps the wall-clock time', () => {
    expect(parseSchedule('at(2026-02-28T23:59:59)')).toEqual({ kind: 'at', expression: 'at(2026-02-28T23:59:59)', local: '2026-02-28T23:59:59', wallMs: Date.UTC(2026, 1, 28, 23, 59, 59) });
    expect(parseSchedule('at(2028-02-29T00:00:00)')).toMatchObject({ kind: 'at' });
  });
});

describe('parseSchedule: errors name the expression, the field and what is allowed', () => {
  it('quotes the expression and the caller\'s location', () => {
    const message = errorOf('cron(0 12 ? * 8 *)', 'schedule "nightly"');
    expect(message).toContain('schedule "nightly": schedule "cron(0 12 ? * 8 *)" is invalid');
    expect(message).toContain('day-of-week field 8 is out of range 1-7 (SUN-SAT)');
    expect(message).toContain('takes 1-7 or SUN-SAT with the wildcards , - * ? L #');
  });

  it.each([
    ['cron(60 12 * * ? *)', 'minutes field 60 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'hours field 24 is out of range 0-23'],
    ['cron(0 12 0 * ? *)', 'day-of-month field 0 is out of range 1-31'],
    ['cron(0 12 32 * ? *)', 'day-of-month field 32 is out of range 1-31'],
    ['cron(0 12 1 13 ? *)', 'month field 13 is out of range 1-12 (JAN-DEC)'],
    ['cron(0 12 ? * 0 *)', 'day-of-week field 0 is out of range 1-7 (SUN-SAT)'],
    ['cron(0 12 ? * 1-8 *)', 'day-of-week field 8 is out of range 1-7 (SUN-SAT)'],
    ['cron(0 12 * * ? 1969)', 'year field 1969 is out of range 1970-2199'],
    ['cron(0 12 * * ? 2200)', 'year field 2200 is out of range 1970-2199'],
    ['cron(0 1,2,99 * * ? *)', 'hours field 99 is out of range 0-23'],
  ])('range: %s', (input, expected) => {
    expect(errorOf(input)).toContain(expected);
  });

  it.each([
    ['cron(0 12 * * *)', 'it has 5 fields, and an EventBridge cron expression has exactly 6', "add ' *' at the end"],
    ['cron(0 0 12 * * ? *)', 'it has 7 fields', 'Seconds (Quartz style) are not supported'],
    ['cron()', 'it has 0 fields', 'cron(minutes hours day-of-month month day-of-week year)'],
  ])('field count: %s', (input, problem, fix) => {
    const message = errorOf(input);
    expect(message).toContain(problem);
    expect(message).toContain(fix);
  });

  it('day-of-month and day-of-week: exactly one must be ?', () => {
    expect(errorOf('cron(0 12 * * MON *)')).toContain("day-of-month (*) and day-of-week (MON) are both set. EventBridge needs ? in one of them: 'cron(0 12 * * ? *)' or 'cron(0 12 ? * MON *)'");
    expect(errorOf('cron(0 12 ? * ? *)')).toContain('day-of-month and day-of-week are both ?');
  });

  it.each([
    ['cron(0 ? * * ? *)', "hours field ? uses ?, which only day-of-month and day-of-week allow"],
    ['cron(0 12 1? * ? *)', 'day-of-month field 1? uses ? inside a value'],
    ['cron(0 12 1,,2 * ? *)', 'day-of-month field 1,,2 has an empty entry in its list'],
    ['cron(0 12 1, * ? *)', 'day-of-month field 1, has an empty entry in its list'],
    ['cron(0 22-2 * * ? *)', 'hours field 22-2 is a range that runs backwards; ranges go from low to high, so write it as two ranges: 22-23,0-2'],
    ['cron(0 12 ? * FRI-MON *)', 'write it as two ranges: FRI-SAT,SUN-MON'],
    ['cron(0 1-2-3 * * ? *)', 'hours field 1-2-3 has more than one -'],
    ['cron(0/0 * * * ? *)', 'minutes field 0/0 has the step /0; a step must be a whole number from 1 to 60'],
    ['cron(0/61 * * * ? *)', 'minutes field 0/61 has the step /61'],
    ['cron(0/x * * * ? *)', 'minutes field 0/x has the step /x'],
    ['cron(0 12 ? * 1/2 *)', 'day-of-week field 1/2 uses a / step, which day-of-week does not allow'],
    ['cron(0 12 * FOO ? *)', 'month field FOO is not a number or a name JAN-DEC'],
    ['cron(0 12 ? * MONDAY *)', 'day-of-week field MONDAY is not a number or a name SUN-SAT'],
    ['cron(0 12 * * ? MON)', 'year field MON is not a number'],
    ['cron(1.5 12 * * ? *)', 'minutes field 1.5 is not a number'],
    ['cron(0 12 * * ? 2026-)', 'year field 2026- has a range or step with a missing value'],
  ])('syntax: %s', (input, expected) => {
    expect(errorOf(input)).toContain(expected);
  });

  it.each([
    ['cron(0 L * * ? *)', 'hours field L uses L, which EventBridge allows only in day-of-month and day-of-week'],
    ['cron(0 12 * * ? 5W)', 'year field 5W uses W, which EventBridge allows only in day-of-month'],
    ['cron(5#2 12 * * ? *)', 'minutes field 5#2 uses #, which EventBridge allows only in day-of-week'],
    ['cron(0 12 L,1 * ? *)', 'day-of-month field L,1 puts L in a list; L and W must be the whole field'],
    ['cron(0 12 1,15W * ? *)', 'day-of-month field 1,15W puts 15W in a list'],
    ['cron(0 12 32W * ? *)', 'day-of-month field 32W asks for the weekday nearest day 32, which is out of range 1-31'],
    ['cron(0 12 ? * 1#1,2#2 *)', "day-of-week field 1#1,2#2 puts 1#1 in a list; EventBridge allows one # expression in the field"],
    ['cron(0 12 ? * 1#6 *)', "day-of-week field 1#6 asks for occurrence 6 of the day in the month; # takes 1-5"],
    ['cron(0 12 ? * 1#0 *)', 'asks for occurrence 0'],
    ['cron(0 12 ? * 8#1 *)', 'day-of-week field 8 is out of range 1-7 (SUN-SAT)'],
    ['cron(0 12 ? * #2 *)', "day-of-week field #2 is not a valid # expression; write day#n"],
    ['cron(0 12 ? * 8L *)', 'day-of-week field 8 is out of range 1-7 (SUN-SAT)'],
  ])('L, W and #: %s', (input, expected) => {
    expect(errorOf(input)).toContain(expected);
  });

  it.each([
    ['rate(1 minutes)', "the unit minutes is plural with the value 1. Write 'rate(1 minute)'"],
    ['rate(5 minute)', "the unit minute is singular with the value 5. Write 'rate(5 minutes)'"],
    ['rate(1 days)', "Write 'rate(1 day)'"],
    ['rate(2 hour)', "Write 'rate(2 hours)'"],
    ['rate(0 minutes)', 'the value 0 is not a positive whole number'],
    ['rate(-5 minutes)', 'the value -5 is not a positive whole number'],
    ['rate(1.5 hours)', 'the value 1.5 is not a positive whole number'],
    ['rate(30 seconds)', 'the unit seconds is not one of minute(s), hour(s), day(s); the finest EventBridge rate is 1 minute'],
    ['rate(2 weeks)', 'the unit weeks is not one of minute(s), hour(s), day(s)'],
    ['rate(5 constructors)', 'the unit constructors is not one of'],
    ['rate(5)', 'it has 1 part inside rate(), and a rate needs exactly 2'],
    ['rate(5 minutes please)', 'it has 3 parts'],
  ])('rate: %s', (input, expected) => {
    const message = errorOf(input);
    expect(message).toContain(expected);
    expect(message).toContain('rate(');
  });

  it.each([
    ['at(2026-02-30T00:00:00)', 'the day 30 does not exist in February 2026, which has 28 days'],
    ['at(2027-02-29T00:00:00)', 'the day 29 does not exist in February 2027'],
    ['at(2026-13-01T00:00:00)', 'the month 13 is out of range 01-12'],
    ['at(2026-01-01T24:00:00)', 'the hour 24 is out of range 00-23'],
    ['at(2026-01-01T00:60:00)', 'the minute 60 is out of range 00-59'],
    ['at(2026-01-01T00:00:60)', 'the second 60 is out of range 00-59'],
    ['at(1969-12-31T00:00:00)', 'the year 1969 is out of range 1970-2199'],
    ['at(2026-01-01 06:00:00)', 'is not a date and time in the form yyyy-mm-ddThh:mm:ss'],
    ['at(2026-01-01T06:00:00Z)', 'no Z or UTC offset: the time zone is set on the schedule'],
    ['at()', 'the time is empty'],
  ])('at: %s', (input, expected) => {
    expect(errorOf(input)).toContain(expected);
  });

  it.each([
    ['0 12 * * ? *', 'a bare cron line needs to be wrapped: cron(...)'],
    ['every 5 minutes', 'it is not cron(...), rate(...) or at(...)'],
    ['', 'it is not cron(...), rate(...) or at(...)'],
    ['cron(0 12 * * ? *', 'it is not cron(...), rate(...) or at(...)'],
    ['interval(5 minutes)', 'it is not cron(...), rate(...) or at(...)'],
  ])('form: %s', (input, expected) => {
    const message = errorOf(input);
    expect(message).toContain(expected);
    expect(message).toContain("e.g. 'rate(5 minutes)'");
  });
});
