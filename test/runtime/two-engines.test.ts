/** Two engines on one local state (two backends on one directory, as two `baton dev` processes): each stream record and bucket event is handled once. */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openLocal, systemClock, type LocalBackend } from '../../src/backends/local/index.ts';
import { app } from '../../src/core/app.ts';
import { bucket } from '../../src/core/resources/bucket.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { table } from '../../src/core/resources/table.ts';
import { defaults } from '../../src/core/defaults.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import type { TriggerContext } from '../../src/runtime/triggers/context.ts';
import { ObjectEventPump } from '../../src/runtime/triggers/objects.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { fixtures, lines, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let t: TestBackend | undefined;
let other: LocalBackend | undefined;
let engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop({ deadlineMs: 2000 })));
  engines = [];
  await other?.close();
  other = undefined;
  await t?.close();
  t = undefined;
});

/** The first backend and a second one on the same directory and clock (the fake one, or with `real` the system clock for both). */
function twoBackends(real = false): [LocalBackend, LocalBackend] {
  t = makeLocalBackend();
  if (real) {
    const dir = t.dir;
    void t.backend.close();
    t.backend = openLocal({ dir, clock: systemClock, paramsKey: Buffer.alloc(32, 7) });
  }
  other = openLocal({ dir: t.dir, clock: real ? systemClock : t.clock, paramsKey: Buffer.alloc(32, 7) });
  return [t.backend, other];
}

describe('two engines on one state', () => {
  it('handle every stream record once between them (one reader per table and consumer)', async () => {
    const [a, b] = twoBackends();
    const out = join(t!.dir, 'out.jsonl');
    const spec = app('streams', [table('items', { partitionKey: 'id', stream: true }), fn('ddb', './ddb-stream.ts', { env: { OUT_FILE: out }, triggers: [{ table: 'items', batchSize: 5 }] })]);
    engines.push(await startEngine({ backend: a, spec, executor }), await startEngine({ backend: b, spec, executor }));
    for (let i = 0; i < 60; i++) await a.tables.put('items', { id: `k${i % 7}`, n: i });
    await until(() => lines(out).length >= 60, { clock: t!.clock, what: '60 stream records' });
    await t!.clock.advance(2000);
    await new Promise((r) => setTimeout(r, 300));
    const seqs = lines<{ seq: string }>(out).map((s) => s.seq);
    expect(seqs).toHaveLength(60);
    expect(new Set(seqs).size).toBe(60);
  });

  it('hand every bucket event to its function once between them (one pump per state)', async () => {
    // On the real clock: both pumps poll while the objects are written, as two processes would.
    const [a, b] = twoBackends(true);
    const out = join(t!.dir, 'out.jsonl');
    const spec = app('s3', [bucket('uploads', { notifications: [{ target: { fn: 'on-upload' } }] }), fn('on-upload', './s3-object.ts', { env: { OUT_FILE: out } })]);
    engines.push(await startEngine({ backend: a, spec, executor }), await startEngine({ backend: b, spec, executor }));
    for (let i = 0; i < 40; i++) {
      await (i % 2 ? a : b).objects.put('uploads', `in/${i}.csv`, 'x');
      if (i % 4 === 0) await new Promise((r) => setTimeout(r, 60));
    }
    await until(() => lines(out).length >= 40, { what: '40 bucket events' });
    await new Promise((r) => setTimeout(r, 1000));
    const keys = lines<{ key: string }>(out).map((s) => s.key);
    expect(keys).toHaveLength(40);
    expect(new Set(keys).size).toBe(40);
    expect(await a.objects.pendingEvents()).toEqual([]);
  });

  it('two bucket-event pumps reading the outbox at the same moment queue each event once', async () => {
    const [a, b] = twoBackends();
    const spec = app('s3', [bucket('uploads', { notifications: [{ target: { fn: 'on-upload' } }] }), fn('on-upload', './s3-object.ts')]);
    await provision(a, spec);
    for (let i = 0; i < 10; i++) await a.objects.put('uploads', `in/${i}.csv`, 'x');
    const ctx = (backend: LocalBackend): TriggerContext => ({ backend, deps: { backend, executor, fns: spec.fns }, clock: t!.clock, settings: { ...defaults.triggers }, stopping: new AbortController().signal, aborting: new AbortController().signal, report: { error: (_w, err) => { throw err; } } });
    const pumps = [new ObjectEventPump(ctx(a)), new ObjectEventPump(ctx(b))];
    await Promise.all(pumps.map((p) => p.pumpOnce()));
    await Promise.all(pumps.map((p) => p.pumpOnce()));
    expect(pumps.map((p) => p.delivered).sort()).toEqual([0, 10]);
    expect((await a.queues.stats(defaults.fn.asyncQueue)).visible).toBe(10);
    expect(await a.objects.pendingEvents()).toEqual([]);
  });
});
