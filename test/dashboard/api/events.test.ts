/** GET /api/events: one stream per page, delivering `run`, `queue` and `counts` events after real work, with no event for what was there before. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { subscribe } from './sse.ts';

describe('dashboard API: server-sent events', { timeout: 60_000 }, () => {
  let h: Harness;
  let before: string;
  beforeAll(async () => {
    h = await startHarness();
    before = (await h.app.invoke('echo', { old: true })).runId;
    await new Promise((r) => setTimeout(r, 250)); // the watcher's first ticks record what is there
  });
  afterAll(async () => {
    await h?.close();
  });

  it('delivers a run event for an invocation, a queue event for a send, and counts, but nothing from before', async () => {
    const sse = await subscribe(h.url('/api/events'));
    try {
      const inv = await h.app.invoke('throws', { kind: 'custom' });
      const run = await sse.waitFor((e) => e.event === 'run' && e.data.id === inv.runId && e.data.status !== 'running');
      expect(run.data).toMatchObject({ id: inv.runId, fn: 'throws', trigger: 'invoke', status: 'error', errorType: 'OrderError', errorMessage: 'order 42 is invalid' });
      await h.app.backend.queues.send('work', { body: 'hello' });
      const queue = await sse.waitFor((e) => e.event === 'queue' && e.data.name === 'work' && e.data.depth === 1);
      expect(queue.data).toEqual({ name: 'work', depth: 1, inFlight: 0, delayed: 0, oldestAgeMs: expect.any(Number), dlqDepth: 0 });
      const counts = await sse.waitFor((e) => e.event === 'counts' && e.data.nodes.some((n: any) => n.id === 'queue:work' && n.counts.depth === 1));
      expect(counts.data.nodes.find((n: any) => n.id === 'fn:throws').counts).toMatchObject({ runsPerMinute: 1, errors: 1 });
      expect(sse.events.some((e) => e.event === 'run' && e.data.id === before)).toBe(false);
      // Each run is announced once per status.
      await new Promise((r) => setTimeout(r, 300));
      expect(sse.events.filter((e) => e.event === 'run' && e.data.id === inv.runId && e.data.status === 'error')).toHaveLength(1);
    } finally {
      sse.close();
    }
  });

  it('announces a job whose status changes and a map whose ledger counts move', async () => {
    const sse = await subscribe(h.url('/api/events'));
    try {
      const job = await h.app.backend.jobs.create({ fn: 'echo', executor: 'function', budget: { maxRelays: 5, maxFailures: 2 } });
      await sse.waitFor((e) => e.event === 'job' && e.data.id === job.id && e.data.status === 'queued');
      await h.app.backend.jobs.cancel(job.id);
      await sse.waitFor((e) => e.event === 'job' && e.data.id === job.id && e.data.status === 'cancelled');
      const maps = h.app.backend.jobs.maps;
      await maps.open({ id: 'm-live', fn: 'echo', options: null });
      await maps.addItems('m-live', 0, ['1', '2', '3'], true);
      await maps.setStatus('m-live', 'running');
      await sse.waitFor((e) => e.event === 'map' && e.data.id === 'm-live' && e.data.counts.pending === 3);
      const taken = await maps.take('m-live', 2);
      await maps.complete('m-live', taken.map((t) => ({ index: t.index, status: 'succeeded' as const, attempts: 1 })));
      const moved = await sse.waitFor((e) => e.event === 'map' && e.data.id === 'm-live' && e.data.counts.succeeded === 2);
      expect(moved.data).toEqual({ id: 'm-live', status: 'running', counts: { total: 3, pending: 1, running: 0, succeeded: 2, failed: 0 } });
    } finally {
      sse.close();
    }
  });
});
