import { describe, expect, it } from 'vitest';
import { schedule } from '../../src/core/resources/schedule.ts';
import { planTick, upcomingTicks } from '../../src/runtime/triggers/schedule-plan.ts';

const at = (hhmmss: string) => Date.parse(`2026-12-06T${hhmmss}.000Z`);
const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString().slice(11, 19));

describe('baton schedules shows the ticks the engine fires', () => {
  const every10 = schedule('p', { expression: 'rate(10 minutes)', target: { queue: 'q' } }).config;

  it("counts rate() ticks from the schedule's anchor, not from the epoch", () => {
    const state = { anchor: at('12:03:07'), last: at('12:03:07') };
    expect(iso(upcomingTicks(every10, at('12:05:00'), 3, state))).toEqual(['12:13:07', '12:23:07', '12:33:07']);
    // The same tick the runner's plan fires once the clock reaches it.
    expect(planTick(every10, state.last, at('12:13:07'), state.anchor, 60_000)).toEqual({ fire: at('12:13:07') });
  });

  it('shows a schedule no engine has registered as anchored now, and none before the last tick handled', () => {
    expect(iso(upcomingTicks(every10, at('12:05:00'), 2))).toEqual(['12:15:00', '12:25:00']);
    expect(iso(upcomingTicks(every10, at('12:05:00'), 1, { anchor: at('12:03:07'), last: at('12:13:07') }))).toEqual(['12:23:07']);
  });

  it('leaves cron schedules on the wall clock', () => {
    const hourly = schedule('h', { expression: 'cron(20 * * * ? *)', target: { queue: 'q' } }).config;
    expect(iso(upcomingTicks(hourly, at('12:05:00'), 2, { anchor: at('11:59:59'), last: at('11:20:00') }))).toEqual(['12:20:00', '13:20:00']);
  });
});
