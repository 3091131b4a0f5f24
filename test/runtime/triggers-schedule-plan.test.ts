import { describe, expect, it } from 'vitest';
import { schedule } from '../../src/core/resources/schedule.ts';
import { planTick } from '../../src/runtime/triggers/schedule-plan.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('planTick', () => {
  const M = 60_000;
  const cfg = (catchUp: 'skip' | 'once' | 'all') => schedule('p', { expression: 'rate(10 minutes)', catchUp, target: { queue: 'q' } }).config;
  it('fires an on-time tick whatever catchUp says, and nothing before the first tick', () => {
    for (const c of ['skip', 'once', 'all'] as const) {
      expect(planTick(cfg(c), T0, T0 + 10 * M + 5_000, T0, 60_000)).toEqual({ fire: T0 + 10 * M });
      expect(planTick(cfg(c), T0, T0 + 9 * M, T0, 60_000)).toBeUndefined();
    }
  });
  it('after downtime: skip passes over, once fires the latest, all fires the oldest first', () => {
    const now = T0 + 35 * M;
    expect(planTick(cfg('skip'), T0, now, T0, 60_000)).toEqual({ skipTo: T0 + 30 * M });
    expect(planTick(cfg('once'), T0, now, T0, 60_000)).toEqual({ fire: T0 + 30 * M });
    expect(planTick(cfg('all'), T0, now, T0, 60_000)).toEqual({ fire: T0 + 10 * M });
    expect(planTick(cfg('skip'), T0, T0 + 30 * M + 30_000, T0, 60_000)).toEqual({ fire: T0 + 30 * M });
  });
});
