import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import type { Job } from '../../src/ports/jobs.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { createJobRunner } from '../../src/runtime/jobs/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jobs');
const executor = createFunctionExecutor({ root });
let t: TestBackend;
beforeAll(() => {
  t = makeLocalBackend();
});
afterAll(async () => {
  await executor.close();
  await t.close();
});

const fns = [fn('steps', './steps.ts', { timeout: 5000 }).config, fn('flaky', './steps.ts', { handler: 'flaky', timeout: 5000 }).config, fn('poll', './steps.ts', { handler: 'poll', timeout: 5000 }).config];
const lines = (log: string) => readFileSync(log, 'utf8').trim().split('\n');

/** Runs a job, moving the fake clock to each wake time while it is suspended. */
async function drive(id: string, fnName: string, input: Record<string, unknown>, between?: (job: Job) => void): Promise<Job> {
  const runner = createJobRunner({ backend: t.backend, executor, fns });
  await runner.start(fnName, { id, input });
  const done = runner.run(id);
  let settled: Job | undefined;
  done.then((j) => (settled = j)).catch(() => undefined);
  while (!settled) {
    await new Promise((r) => setTimeout(r, 20));
    const job = await t.backend.jobs.get(id);
    if (job?.status === 'queued' && job.wakeAt !== undefined && job.wakeAt > t.clock.now() && t.clock.pending > 0) {
      between?.(job);
      await t.clock.set(job.wakeAt);
    }
  }
  return done;
}

describe('journaled steps', () => {
  it('replays completed steps from the journal without running them again; sleep holds no executor', async () => {
    const log = join(t.dir, 'steps.log');
    const job = await drive('steps-1', 'steps', { log, big: true });
    expect(job).toMatchObject({ status: 'succeeded', result: { rows: 3, loaded: 6, blobBytes: 100 * 1024 } });
    expect(lines(log)).toEqual(['replay 1', 'fetch', 'replay 2', 'load']);
    const steps = await t.backend.jobs.steps('steps-1');
    expect(steps.map((s) => [s.name, s.status])).toEqual([['fetch', 'done'], ['cool-down', 'done'], ['load', 'done']]);
    // The 100 KiB result went to the object store, not the journal row.
    expect(steps[0]?.resultRef).toEqual({ bucket: 'baton-jobs', key: 'jobs/steps-1/steps/0.json' });
    const runs = await t.backend.runs.list({ trigger: 'job:steps-1' });
    expect(runs).toHaveLength(2);
  });

  it('fails with a message naming the step expected and the step found when the order changes', async () => {
    const log = join(t.dir, 'order.log');
    const flag = join(t.dir, 'order.flag');
    const job = await drive('order-1', 'steps', { log, flag }, () => writeFileSync(flag, 'swapped'));
    expect(job.status).toBe('failed');
    expect(job.error?.message).toContain('job "order-1": the step order changed: at position 0 the journal expected step "fetch" but the handler reached step "load".');
    expect(job.error?.name).toBe('StepOrderError');
  });

  it('retries a failing step with backoff on the clock, and stops at a NonRetriableError', async () => {
    const log = join(t.dir, 'flaky.log');
    const start = t.clock.now();
    const job = await drive('flaky-1', 'flaky', { log, flaky: 2 });
    expect(job).toMatchObject({ status: 'succeeded', result: 'ok', relay: 3 });
    expect(lines(log)).toEqual(['attempt', 'attempt', 'attempt']);
    expect(t.clock.now() - start).toBe(10_000 + 20_000);

    const log2 = join(t.dir, 'fatal.log');
    const fatal = await drive('flaky-2', 'flaky', { log: log2, flaky: 'never' });
    expect(fatal).toMatchObject({ status: 'failed', relay: 1, error: { name: 'NonRetriableError', message: 'the API said 400: bad request' } });
    expect(lines(log2)).toEqual(['attempt']);
  });

  it('waitFor checks every interval until the condition holds', async () => {
    const ready = join(t.dir, 'export.ready');
    let checks = 0;
    const job = await drive('poll-1', 'poll', { log: join(t.dir, 'poll.log'), ready }, () => {
      if (++checks === 3) writeFileSync(ready, 's3://exports/2026-01-01.csv');
    });
    expect(job).toMatchObject({ status: 'succeeded', result: { found: 's3://exports/2026-01-01.csv' }, relay: 4 });
  });
});
