import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, StaleReceiptError } from '../../src/core/errors.ts';
import { fn } from '../../src/core/resources/fn.ts';
import type { Executor, Invocation } from '../../src/ports/executor.ts';
import { map } from '../../src/runtime/map/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
beforeEach(() => {
  t = makeLocalBackend();
});
afterEach(() => t.close());

const budget = { maxRelays: 10, maxFailures: 2 };

describe('local job store: the relay fence', () => {
  it('refuses a checkpoint from a relay that is no longer current, and any write after cancel', async () => {
    const jobs = t.backend.jobs;
    await jobs.create({ id: 'j', fn: 'f', executor: 'function', budget });
    const first = await jobs.claim('j');
    await jobs.checkpoint('j', first!.relay, '"a"');
    const second = await jobs.claim('j'); // the runner gave up on relay 1 and claimed relay 2
    expect(second!.relay).toBe(2);
    await expect(jobs.checkpoint('j', 1, '"stale"')).rejects.toBeInstanceOf(StaleReceiptError);
    await expect(jobs.checkpoint('j', 1, '"stale"')).rejects.toThrow('job "j": relay 1 is no longer current (relay 2 is); its checkpoint was not saved.');
    await jobs.checkpoint('j', 2, '"b"');
    expect((await jobs.get('j'))?.checkpoint).toBe('b');
    // A settle from the stale relay changes nothing.
    expect((await jobs.settle('j', 1, { kind: 'succeeded', result: 1 })).status).toBe('running');
    await jobs.cancel('j');
    await expect(jobs.checkpoint('j', 2, '"c"')).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(jobs.journal('j', 2, { position: 0, name: 's', status: 'done', attempts: 1 })).rejects.toThrow(/job "j" was cancelled; its step "s" was not saved/);
    expect((await jobs.get('j'))?.checkpoint).toBe('b');
  });
});

describe('map ledger', () => {
  /** Runs no handler: each item takes `ms` of real time in this process. */
  const slow = (ms: number): Executor => ({
    async invoke(_f, _e, options): Promise<Invocation> {
      await new Promise((r) => setTimeout(r, ms));
      return { requestId: options?.requestId ?? randomUUID(), status: 'ok', result: null, startedAt: Date.now(), durationMs: ms, queuedMs: 0, logs: [] };
    },
    async close() {},
  });
  const deps = (ms: number) => ({ backend: t.backend, executor: slow(ms), fns: [fn('f', './f.ts').config] });

  it('stops dispatching when the map is cancelled in the ledger; an abort leaves it resumable', async () => {
    const items = Array.from({ length: 400 }, (_, i) => i);
    const running = map(deps(5), 'f', items, { id: 'c', concurrency: 2 });
    await new Promise((r) => setTimeout(r, 100));
    await t.backend.jobs.maps.setStatus('c', 'cancelled');
    const s = await running;
    expect(s.status).toBe('cancelled');
    expect(s.counts.succeeded).toBeLessThan(400);
    expect(s.counts.pending).toBe(400 - s.counts.succeeded);

    const abort = new AbortController();
    const first = map(deps(2), 'f', items, { id: 'a', concurrency: 4, signal: abort.signal });
    setTimeout(() => abort.abort(), 60);
    const paused = await first;
    expect(paused.status).toBe('running');
    const resumed = await map(deps(0), 'f', items, { id: 'a', concurrency: 4 });
    expect(resumed).toMatchObject({ status: 'succeeded', counts: { succeeded: 400, pending: 0, running: 0 } });
  });
});
