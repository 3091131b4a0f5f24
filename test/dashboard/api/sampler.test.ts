/** The queue history keeps the last keepMs of samples per queue (a ring), oldest first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueSampler } from '../../../src/dashboard/server/sampler.ts';
import { startHarness, type Harness } from './harness.ts';

describe('queue history sampler', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps keepMs / everyMs points per queue, dropping the oldest, with the depth at each sample', async () => {
    const sampler = new QueueSampler(() => h.app, 1000, 3000);
    for (let t = 1; t <= 5; t++) {
      await h.app.backend.queues.send('work', { body: `m${t}` });
      await sampler.sample(t * 1000);
    }
    expect(sampler.history('work')).toEqual([
      { t: 3000, depth: 3, inFlight: 0, oldestAgeMs: expect.any(Number) },
      { t: 4000, depth: 4, inFlight: 0, oldestAgeMs: expect.any(Number) },
      { t: 5000, depth: 5, inFlight: 0, oldestAgeMs: expect.any(Number) },
    ]);
    expect(sampler.history('work-dlq').map((p) => p.depth)).toEqual([0, 0, 0]);
    expect(sampler.history('nope')).toEqual([]);
    expect(sampler.latest.find((q) => q.name === 'work')).toMatchObject({ depth: 5, dlq: 'work-dlq', dlqDepth: 0 });
  });
});
