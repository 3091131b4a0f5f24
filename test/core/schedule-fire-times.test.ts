/**
 * Expected times are worked out by hand from the calendar, not copied from the code: 2026-01-01
 * is a Thursday; Feb 1 and Mar 1 2026 are Sundays, Apr 1 a Wednesday, May 1 a Friday, Dec 1 a
 * Tuesday; 2028 is a leap year.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { firesBetween, nextFireTime, nextFireTimes, parseSchedule, validateTimezone } from '../../src/core/schedule/index.ts';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const iso = (times: number[]) => times.map((t) => new Date(t).toISOString().replace('.000Z', 'Z'));
const jan1 = utc('2026-01-01T00:00:00');

describe('nextFireTimes: cron in UTC', () => {
  it("'cron(0/20 6-8 * * ? *)' fires every 20 minutes from 06:00 to 08:40, then the next day at 06:00", () => {
    expect(iso(nextFireTimes('cron(0/20 6-8 * * ? *)', { after: jan1, count: 10 }))).toEqual([
      '2026-01-01T06:00:00Z', '2026-01-01T06:20:00Z', '2026-01-01T06:40:00Z',
      '2026-01-01T07:00:00Z', '2026-01-01T07:20:00Z', '2026-01-01T07:40:00Z',
      '2026-01-01T08:00:00Z', '2026-01-01T08:20:00Z', '2026-01-01T08:40:00Z',
      '2026-01-02T06:00:00Z',
    ]);
  });

  it("'cron(15 10 ? * 6L 2026)' fires on the last Friday of each month of 2026, then never", () => {
    expect(iso(nextFireTimes('cron(15 10 ? * 6L 2026)', { after: jan1, count: 20 }))).toEqual([
      '2026-01-30T10:15:00Z', '2026-02-27T10:15:00Z', '2026-03-27T10:15:00Z', '2026-04-24T10:15:00Z',
      '2026-05-29T10:15:00Z', '2026-06-26T10:15:00Z', '2026-07-31T10:15:00Z', '2026-08-28T10:15:00Z',
      '2026-09-25T10:15:00Z', '2026-10-30T10:15:00Z', '2026-11-27T10:15:00Z', '2026-12-25T10:15:00Z',
    ]);
    expect(nextFireTime('cron(15 10 ? * 6L 2026)', utc('2026-12-25T10:15:00'))).toBeUndefined();
  });

  it("'cron(0 12 L * ? *)' fires at noon on the last day of each month, Feb 29 in a leap year", () => {
    expect(iso(nextFireTimes('cron(0 12 L * ? *)', { after: jan1, count: 4 }))).toEqual([
      '2026-01-31T12:00:00Z', '2026-02-28T12:00:00Z', '2026-03-31T12:00:00Z', '2026-04-30T12:00:00Z',
    ]);
    expect(iso(nextFireTimes('cron(0 12 L * ? *)', { after: utc('2028-02-01T00:00:00') }))).toEqual(['2028-02-29T12:00:00Z']);
  });

  it("'cron(0 9 ? * 2#1 *)' fires on the first Monday of each month", () => {
    expect(iso(nextFireTimes('cron(0 9 ? * 2#1 *)', { after: jan1, count: 6 }))).toEqual([
      '2026-01-05T09:00:00Z', '2026-02-02T09:00:00Z', '2026-03-02T09:00:00Z',
      '2026-04-06T09:00:00Z', '2026-05-04T09:00:00Z', '2026-06-01T09:00:00Z',
    ]);
  });

  it("'cron(0 18 ? * MON-FRI *)' fires at 18:00 on weekdays only", () => {
    // Thu 1, Fri 2, (Sat 3, Sun 4 skipped), Mon 5, Tue 6.
    expect(iso(nextFireTimes('cron(0 18 ? * MON-FRI *)', { after: jan1, count: 4 }))).toEqual([
      '2026-01-01T18:00:00Z', '2026-01-02T18:00:00Z', '2026-01-05T18:00:00Z', '2026-01-06T18:00:00Z',
    ]);
  });

  it('W and LW pick the nearest weekday and the last weekday', () => {
    // Feb 15 2026 is a Sunday -> Monday 16; Mar 15 is a Sunday -> Monday 16; Jan 15 is a Thursday.
    expect(iso(nextFireTimes('cron(0 9 15W * ? *)', { after: jan1, count: 3 }))).toEqual(['2026-01-15T09:00:00Z', '2026-02-16T09:00:00Z', '2026-03-16T09:00:00Z']);
    // Jan 31 and Feb 28 2026 are Saturdays -> the Fridays before; Mar 31 is a Tuesday.
    expect(iso(nextFireTimes('cron(0 9 LW * ? *)', { after: jan1, count: 3 }))).toEqual(['2026-01-30T09:00:00Z', '2026-02-27T09:00:00Z', '2026-03-31T09:00:00Z']);
  });

  it("'L' alone in day-of-week is Saturday, and day numbers follow SUN=1 ... SAT=7", () => {
    expect(iso(nextFireTimes('cron(0 9 ? * L *)', { after: jan1, count: 2 }))).toEqual(['2026-01-03T09:00:00Z', '2026-01-10T09:00:00Z']);
    expect(iso(nextFireTimes('cron(0 9 ? * 1 *)', { after: jan1 }))).toEqual(['2026-01-04T09:00:00Z']);
  });

  it('month and year steps', () => {
    expect(iso(nextFireTimes('cron(0 0 1 1/4 ? 2026-2030/2)', { after: jan1, count: 4 }))).toEqual([
      '2026-05-01T00:00:00Z', '2026-09-01T00:00:00Z', '2028-01-01T00:00:00Z', '2028-05-01T00:00:00Z',
    ]);
  });

  it('is strictly after `after`, to the millisecond', () => {
    const nine = utc('2026-01-01T09:00:00');
    expect(nextFireTime('cron(0 9 * * ? *)', nine - 1)).toBe(nine);
    expect(nextFireTime('cron(0 9 * * ? *)', nine)).toBe(nine + 86_400_000);
    expect(nextFireTime('cron(0 9 * * ? *)', nine + 500)).toBe(nine + 86_400_000);
  });

  it('a date that never comes, or a year that has passed, gives no fire time', () => {
    expect(nextFireTimes('cron(0 0 30 2 ? *)', { after: jan1, count: 3 })).toEqual([]);
    expect(nextFireTime('cron(0 0 1 1 ? 2000)', jan1)).toBeUndefined();
  });

  it('accepts a parsed expression as well as text', () => {
    const parsed = parseSchedule('cron(0 6 * * ? *)');
    expect(nextFireTime(parsed, jan1)).toBe(utc('2026-01-01T06:00:00'));
  });
});

describe('nextFireTimes: time zones and daylight saving (America/New_York)', () => {
  const ny = 'America/New_York';

  it('reads the cron fields in the time zone: 06:00 EST is 11:00 UTC', () => {
    expect(iso(nextFireTimes('cron(0/20 6-8 * * ? *)', { after: jan1, count: 2, timezone: ny }))).toEqual(['2026-01-01T11:00:00Z', '2026-01-01T11:20:00Z']);
  });

  it('a daily 09:00 keeps its wall-clock time across the spring change (UTC-5 to UTC-4)', () => {
    expect(iso(nextFireTimes('cron(0 9 * * ? *)', { after: utc('2026-03-07T00:00:00'), count: 3, timezone: ny }))).toEqual([
      '2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z',
    ]);
  });

  it('a time that does not exist on the spring-forward day is skipped (EventBridge Scheduler)', () => {
    // 02:30 on Sun 2026-03-08 never happens in New York: clocks jump from 02:00 EST to 03:00 EDT.
    expect(iso(nextFireTimes('cron(30 2 * * ? *)', { after: utc('2026-03-07T00:00:00'), count: 2, timezone: ny }))).toEqual([
      '2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z',
    ]);
  });

  it('an interval schedule runs on through the spring gap without a double or a hole', () => {
    // 01:40 EST = 06:40Z, then the wall clock reads 03:00 EDT = 07:00Z.
    expect(iso(nextFireTimes('cron(0/20 * * * ? *)', { after: utc('2026-03-08T06:30:00'), count: 3, timezone: ny }))).toEqual([
      '2026-03-08T06:40:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:20:00Z',
    ]);
  });

  it('a time repeated on the fall-back day fires once, at its first occurrence', () => {
    // Sun 2026-11-01: 01:00-01:59 happens at UTC-4 (05:00Z-05:59Z) and again at UTC-5 (06:00Z-06:59Z).
    expect(iso(nextFireTimes('cron(0/30 1 * * ? *)', { after: utc('2026-11-01T00:00:00'), count: 3, timezone: ny }))).toEqual([
      '2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:00:00Z',
    ]);
    expect(iso(nextFireTimes('cron(30 1 * * ? *)', { after: utc('2026-11-01T00:00:00'), count: 2, timezone: ny }))).toEqual([
      '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z',
    ]);
  });

  it('asked from inside the repeated hour, it does not fire that hour again', () => {
    // 06:15Z is 01:15 EST, the second pass; 01:30 already fired at 05:30Z.
    expect(iso(nextFireTimes('cron(0/30 1-2 * * ? *)', { after: utc('2026-11-01T06:15:00'), count: 2, timezone: ny }))).toEqual([
      '2026-11-01T07:00:00Z', '2026-11-01T07:30:00Z',
    ]);
  });

  it('rate schedules are a fixed period, not wall-clock: rate(1 day) is every 24 h across the change', () => {
    const start = utc('2026-03-07T12:00:00');
    expect(iso(nextFireTimes('rate(1 day)', { after: start, start, count: 2, timezone: ny }))).toEqual(['2026-03-08T12:00:00Z', '2026-03-09T12:00:00Z']);
  });

  it('at(...) is read in the time zone; a skipped time lands after the jump, a repeated one at its first occurrence', () => {
    expect(nextFireTimes('at(2026-07-04T09:00:00)', { after: jan1, timezone: ny })).toEqual([utc('2026-07-04T13:00:00')]);
    expect(nextFireTimes('at(2026-03-08T02:30:00)', { after: jan1, timezone: ny })).toEqual([utc('2026-03-08T07:30:00')]);
    expect(nextFireTimes('at(2026-11-01T01:30:00)', { after: jan1, timezone: ny })).toEqual([utc('2026-11-01T05:30:00')]);
  });

  it('another zone: Europe/Paris (UTC+1, UTC+2 from Sun 2026-03-29 02:00)', () => {
    expect(iso(nextFireTimes('cron(0 8 ? * SUN *)', { after: utc('2026-03-21T00:00:00'), count: 2, timezone: 'Europe/Paris' }))).toEqual([
      '2026-03-22T07:00:00Z', '2026-03-29T06:00:00Z',
    ]);
  });

  it('rejects a time zone that is not an IANA name', () => {
    for (const tz of ['Mars/Olympus_Mons', '+02:00', '', 'Europe/Pariss', 'UTC; DROP']) {
      expect(() => nextFireTimes('cron(0 9 * * ? *)', { after: jan1, timezone: tz })).toThrow(ValidationError);
    }
    expect(() => validateTimezone('Europe/Pariss', 'schedule "nightly": field "timezone"')).toThrow('schedule "nightly": field "timezone": "Europe/Pariss" is not a known IANA time zone name');
    expect(validateTimezone('Etc/GMT+5')).toBe('Etc/GMT+5');
  });
});

describe('nextFireTimes: rate and at', () => {
  it('rate ticks are start + k * period, strictly after `after`', () => {
    const start = utc('2026-01-01T00:07:00');
    expect(iso(nextFireTimes('rate(5 minutes)', { after: utc('2026-01-01T00:10:00'), start, count: 3 }))).toEqual(['2026-01-01T00:12:00Z', '2026-01-01T00:17:00Z', '2026-01-01T00:22:00Z']);
    expect(iso(nextFireTimes('rate(5 minutes)', { after: utc('2026-01-01T00:12:00'), start }))).toEqual(['2026-01-01T00:17:00Z']);
  });

  it('the first rate tick is the start itself when `after` is before it', () => {
    const start = utc('2026-01-01T00:07:00');
    expect(iso(nextFireTimes('rate(1 hour)', { after: start - 1, start, count: 2 }))).toEqual(['2026-01-01T00:07:00Z', '2026-01-01T01:07:00Z']);
  });

  it('without a start, rate ticks are anchored at the epoch (on the hour for rate(1 hour))', () => {
    expect(iso(nextFireTimes('rate(1 hour)', { after: utc('2026-01-01T10:30:00') }))).toEqual(['2026-01-01T11:00:00Z']);
  });

  it('at fires once', () => {
    expect(nextFireTimes('at(2026-06-01T12:00:00)', { after: jan1, count: 5 })).toEqual([utc('2026-06-01T12:00:00')]);
    expect(nextFireTime('at(2026-06-01T12:00:00)', utc('2026-06-01T12:00:00'))).toBeUndefined();
  });

  it('rejects a bad count or time', () => {
    expect(() => nextFireTimes('rate(1 minute)', { after: jan1, count: 0 })).toThrow('count: 0 is not a whole number from 1 to 1000');
    expect(() => nextFireTimes('rate(1 minute)', { after: jan1, count: 1001 })).toThrow(ValidationError);
    expect(() => nextFireTimes('rate(1 minute)', { after: Number.NaN })).toThrow('after: NaN is not a time');
  });
});

describe('firesBetween: ticks missed during downtime', () => {
  it('lists the fire times in (from, to]', () => {
    const r = firesBetween('cron(0 * * * ? *)', utc('2026-01-01T01:00:00'), utc('2026-01-01T04:00:00'));
    expect(iso(r.times)).toEqual(['2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z', '2026-01-01T04:00:00Z']);
    expect(r.truncated).toBe(false);
    expect(r.last).toBe(utc('2026-01-01T04:00:00'));
  });

  it('is empty when nothing was missed', () => {
    expect(firesBetween('cron(0 9 * * ? *)', utc('2026-01-01T09:00:00'), utc('2026-01-02T08:59:59'))).toEqual({ times: [], truncated: false, last: undefined });
  });

  it('a huge window is bounded by the limit, and still names the latest tick', () => {
    const started = performance.now();
    const r = firesBetween('cron(* * * * ? *)', utc('2026-01-01T00:00:00'), utc('2036-01-01T00:00:30'), 'UTC', { limit: 50 });
    expect(r.times).toHaveLength(50);
    expect(r.times[0]).toBe(utc('2026-01-01T00:01:00'));
    expect(r.truncated).toBe(true);
    expect(r.last).toBe(utc('2036-01-01T00:00:00'));
    const rate = firesBetween('rate(1 minute)', 0, utc('2036-01-01T00:00:30'), 'UTC', { start: 0 });
    expect(rate.times).toHaveLength(1000);
    expect(rate.truncated).toBe(true);
    expect(rate.last).toBe(utc('2036-01-01T00:00:00'));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('the latest tick of a truncated window follows the daylight-saving rules', () => {
    // Up to 06:45Z on 2026-11-01 (01:45 EST, second pass): 01:30 fired at 05:30Z and does not repeat.
    const r = firesBetween('cron(0/30 1 * * ? *)', utc('2026-10-01T00:00:00'), utc('2026-11-01T06:45:00'), 'America/New_York', { limit: 2 });
    expect(r.truncated).toBe(true);
    expect(r.last).toBe(utc('2026-11-01T05:30:00'));
  });
});
