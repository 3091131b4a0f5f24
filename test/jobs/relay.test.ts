import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createRoutingExecutor } from '../../src/runtime/container/index.ts';
import { createJobRunner } from '../../src/runtime/jobs/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { read } from '../fixtures/jobs/sink.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jobs');
const executor = createRoutingExecutor({ root });
let t: TestBackend;
beforeAll(() => {
  t = makeLocalBackend();
});
afterAll(async () => {
  await executor.close();
  await t.close();
});

const fns = [
  fn('relay', './relay.ts', { timeout: 1000 }).config,
  fn('stubborn', './relay.ts', { handler: 'stubborn', timeout: 1000 }).config,
  fn('slow', './relay.ts', { handler: 'slow', timeout: 300 }).config,
  fn('huge', './relay.ts', { handler: 'huge' }).config,
  fn('broken', './relay.ts', { handler: 'broken' }).config,
];
const runner = () => createJobRunner({ backend: t.backend, executor, fns, settings: { retryBaseMs: 0 } });

describe('relay jobs', () => {
  it('finishes a job past the time limit across many relays, each effect exactly once, relays visible as runs', async () => {
    const sink = join(t.dir, 'relay-sink.db');
    const job = await runner().runJob('relay', { id: 'relay-1', input: { n: 60, sink, perItemMs: 25, marginMs: 850 } });
    expect(job).toMatchObject({ status: 'succeeded', failures: 0, progress: { done: 60, total: 60 }, checkpoint: 60 });
    expect(job.relay).toBeGreaterThanOrEqual(6);
    expect(read(sink)).toMatchObject({ effects: 60, calls: 60 });
    const runs = await t.backend.runs.list({ trigger: 'job:relay-1', limit: 100 });
    expect(runs).toHaveLength(job.relay);
    expect(runs.map((r) => r.attempt).sort((a, b) => a - b)).toEqual(Array.from({ length: job.relay }, (_, i) => i + 1));
    expect(runs.every((r) => r.status === 'ok' && r.fn === 'relay')).toBe(true);
  });

  it('resumes from the last checkpoint when the time limit kills a relay that never yields', async () => {
    const sink = join(t.dir, 'stubborn-sink.db');
    const job = await runner().runJob('stubborn', { id: 'stubborn-1', input: { n: 30, sink, perItemMs: 45 } });
    expect(job).toMatchObject({ status: 'succeeded', failures: 0 });
    expect(job.relay).toBeGreaterThanOrEqual(2);
    const s = read(sink);
    expect(s.effects).toBe(30);
    // An item applied but not yet checkpointed when the limit struck runs again: at most one per kill.
    expect(s.calls - 30).toBeLessThanOrEqual(job.relay - 1);
    const runs = await t.backend.runs.list({ trigger: 'job:stubborn-1' });
    expect(runs.filter((r) => r.status === 'timeout')).toHaveLength(job.relay - 1);
  });

  it('promotes a job whose relays keep timing out without progress to the container executor', async () => {
    const job = await runner().runJob('slow', { id: 'slow-1', input: { ms: 450 } });
    expect(job).toMatchObject({ status: 'succeeded', executor: 'container', relay: 3, failures: 2 });
    expect(job.result).toMatchObject({ executor: 'container' });
  });

  it('refuses a checkpoint over the limit with an error saying to store it as an object', async () => {
    const job = await runner().runJob('huge', { id: 'huge-1' });
    expect(job.status).toBe('failed');
    expect(job.error?.message).toMatch(/job "huge-1": the checkpoint is 300.0 KiB, over the limit of 256.0 KiB\. Store the value as an object \(objects\.put\) and checkpoint its key instead\./);
    expect(job.relay).toBe(1);
  });

  it('cancels a queued job, and a running one at its next checkpoint', async () => {
    const r = runner();
    const queued = await r.start('relay', { id: 'cancel-1', input: { n: 5, sink: join(t.dir, 'c1.db'), perItemMs: 1 } });
    await r.cancel(queued.id);
    expect((await r.run(queued.id)).status).toBe('cancelled');

    const sink = join(t.dir, 'c2.db');
    const started = await r.start('relay', { id: 'cancel-2', input: { n: 500, sink, perItemMs: 5, marginMs: 100 } });
    const running = r.run(started.id);
    await new Promise((res) => setTimeout(res, 400));
    await r.cancel(started.id);
    const done = await running;
    expect(done.status).toBe('cancelled');
    expect(read(sink).effects).toBeLessThan(500);
  });

  it('resumes a job a dead process left running from its last checkpoint (resumeAll)', async () => {
    const sink = join(t.dir, 'resume-sink.db');
    const jobs = t.backend.jobs;
    await jobs.create({ id: 'orphan-1', fn: 'relay', input: { n: 10, sink, perItemMs: 1 }, executor: 'function', budget: { maxRelays: 100, maxFailures: 3 } });
    const dead = await jobs.claim('orphan-1');
    await jobs.checkpoint('orphan-1', dead!.relay, '6', { done: 6, total: 10 });
    const [job] = await runner().resumeAll();
    expect(job).toMatchObject({ id: 'orphan-1', status: 'succeeded', relay: 2, progress: { done: 10, total: 10 } });
    expect([...read(sink).callsByItem.keys()]).toEqual(['6', '7', '8', '9']);
    // The dead relay's late write is refused by the fence.
    await expect(jobs.checkpoint('orphan-1', dead!.relay, '3')).rejects.toThrow(/job "orphan-1" has already succeeded/);
  });

  it('fails a job when its budget of failed attempts or relays runs out, saying which', async () => {
    const failing = await runner().runJob('broken', { id: 'broken-1', retries: 2 });
    expect(failing).toMatchObject({ status: 'failed', relay: 3, failures: 3 });
    expect(failing.error?.message).toMatch(/^job "broken-1": gave up after 3 failed attempts \(the budget allows 2\); the last was TypeError: the upstream API is down\./);
    const relays = await runner().runJob('relay', { id: 'budget-1', maxRelays: 2, input: { n: 5, sink: join(t.dir, 'budget.db'), perItemMs: 1, marginMs: 60_000 } });
    expect(relays).toMatchObject({ status: 'failed', relay: 3, checkpoint: 2 });
    expect(relays.error?.message).toContain('job "budget-1": the relay budget ran out after 2 relays without finishing.');
  });
});
