import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing/fake-clock.ts';

describe('FakeClock', () => {
  it('wakes sleepers in time order as it advances, and an abort rejects a sleep', async () => {
    const clock = new FakeClock(0);
    const woke: number[] = [];
    const ctl = new AbortController();
    const a = clock.sleep(300).then(() => woke.push(300));
    const b = clock.sleep(100).then(() => woke.push(100));
    const c = clock.sleep(200, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(c).rejects.toThrow('stop');
    await clock.advance(300);
    await Promise.all([a, b]);
    expect(woke).toEqual([100, 300]);
    expect(clock.pending).toBe(0);
  });

  it('lets go of the signal when a sleep ends on time, however often a loop sleeps on it', async () => {
    const clock = new FakeClock(0);
    const ctl = new AbortController();
    for (let i = 0; i < 50; i++) {
      const sleep = clock.sleep(10, ctl.signal);
      await clock.advance(10);
      await sleep;
    }
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });
});
