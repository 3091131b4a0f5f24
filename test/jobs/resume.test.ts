/** Jobs and maps resume by themselves in any engine after their driver died (issue 11). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { ConditionFailedError } from '../../src/core/errors.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { createRoutingExecutor } from '../../src/runtime/container/index.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { createJobRunner } from '../../src/runtime/jobs/index.ts';
import { leaseTable, leaseTableConfig } from '../../src/runtime/lease/table.ts';
import { map } from '../../src/runtime/map/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { read } from '../fixtures/jobs/sink.ts';
import { until } from '../runtime/engine-harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jobs');
const executor = createRoutingExecutor({ root });
afterAll(() => executor.close());

let t: TestBackend;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  engine = undefined;
  await t.close();
});

const spec = (env: Record<string, string> = {}) =>
  app('resume', [fn('stubborn', './relay.ts', { handler: 'stubborn', timeout: 2000 }), fn('unit', './map-unit.ts', { env })]);

describe('jobs resume by themselves', () => {
  it('an engine resumes a job left running by a dead relay from its last checkpoint, not re-running what was done', async () => {
    t = makeLocalBackend();
    const sink = join(t.dir, 'sink.db');
    const s = spec();
    const runner = createJobRunner({ backend: t.backend, executor, fns: s.fns });
    await runner.start('stubborn', { id: 'J', input: { n: 20, sink, perItemMs: 2 } });
    // A relay that checkpointed 8 items, then died with its process: the job stays running.
    const claimed = await t.backend.jobs.claim('J');
    await t.backend.jobs.checkpoint('J', claimed!.relay, '8', { done: 8, total: 20 });
    // Its driver's lease, last renewed now by a process this host cannot see: taken over once it expires.
    const lease = { holder: 'dead', token: 1, expiresAt: t.clock.now() + 30_000, host: 'elsewhere', pid: 1 };
    await t.backend.tables.declare(leaseTableConfig);
    await t.backend.tables.put(leaseTable, { name: '/baton/leases/jobs/J', ...lease, version: 1 });
    engine = await startEngine({ backend: t.backend, spec: s, executor });
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.backend.jobs.get('J')).toMatchObject({ status: 'running', relay: 1 });
    await until(async () => (await t.backend.jobs.get('J'))?.status === 'succeeded', { clock: t.clock, what: 'the job to succeed' });
    const job = await t.backend.jobs.get('J');
    expect(job).toMatchObject({ status: 'succeeded', relay: 2, failures: 0, checkpoint: 20 });
    const done = read(sink);
    expect(done.effects).toBe(12);
    expect([...done.callsByItem.keys()].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 8));
    // Its driver lease was deleted with the job's end.
    expect(await t.backend.tables.get(leaseTable, { name: '/baton/leases/jobs/J' })).toBeUndefined();
  });

  it('two engines on one state drive a job once; starting a job with an id that exists says so and how to resume it', async () => {
    t = makeLocalBackend();
    const sink = join(t.dir, 'sink.db');
    const s = spec();
    const runner = createJobRunner({ backend: t.backend, executor, fns: s.fns });
    await runner.start('stubborn', { id: 'K', input: { n: 30, sink, perItemMs: 5 } });
    const err = await runner.start('stubborn', { id: 'K' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ConditionFailedError);
    expect((err as Error).message).toMatch(/job "K" already exists \(fn "stubborn", queued, 0 relays\)\. Resume it with `baton jobs resume K`/);
    engine = await startEngine({ backend: t.backend, spec: s, executor });
    const second = await startEngine({ backend: t.backend, spec: s, executor });
    try {
      await until(async () => (await t.backend.jobs.get('K'))?.status === 'succeeded', { clock: t.clock, what: 'the job to succeed' });
    } finally {
      await second.stop({ deadlineMs: 2000 });
    }
    expect(await t.backend.jobs.get('K')).toMatchObject({ relay: 1 });
    expect(read(sink)).toMatchObject({ effects: 30, calls: 30 });
  });
});

describe('maps resume by themselves', () => {
  it('an engine resumes a map killed while reading its source, from the recorded source and the ledger', async () => {
    t = makeLocalBackend();
    const sink = join(t.dir, 'map.db');
    const s = spec({ SINK: sink });
    // Large enough to be recorded as an object (over 64 KiB of JSON) and read in three batches.
    const items = Array.from({ length: 2500 }, (_, i) => ({ id: i, pad: 'x'.repeat(40) }));
    const stopped = new AbortController();
    stopped.abort();
    const first = await map({ backend: t.backend, executor, fns: s.fns }, 'unit', items, { id: 'M', signal: stopped.signal });
    expect(first.status).toBe('loading');
    expect((await t.backend.jobs.maps.get('M'))).toMatchObject({ loaded: 1000, sourceDone: false, options: { sourceRef: { bucket: 'baton-maps', key: 'maps/M/source.jsonl', format: 'jsonl' } } });
    engine = await startEngine({ backend: t.backend, spec: s, executor });
    await until(async () => (await t.backend.jobs.maps.get('M'))?.status === 'succeeded', { clock: t.clock, what: 'the map to succeed', timeoutMs: 60_000 });
    expect(await t.backend.jobs.maps.counts('M')).toMatchObject({ total: 2500, succeeded: 2500, failed: 0 });
    expect(read(sink)).toMatchObject({ effects: 2500, calls: 2500 });
  });

  it('records a small array inline', async () => {
    t = makeLocalBackend();
    const s = spec();
    const stopped = new AbortController();
    stopped.abort();
    await map({ backend: t.backend, executor, fns: s.fns }, 'unit', [{ id: 1 }, { id: 2 }], { id: 'small', signal: stopped.signal });
    expect((await t.backend.jobs.maps.get('small'))?.options).toMatchObject({ sourceRef: { items: [{ id: 1 }, { id: 2 }] } });
  });
});
