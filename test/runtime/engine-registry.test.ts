import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { describeOthers, enginesPath, staleAfterMs } from '../../src/runtime/engine/registry.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { leaseTable, leaseTableConfig } from '../../src/runtime/lease/table.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { fixtures } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());
let t: TestBackend;
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ deadlineMs: 1000 });
  await t.close();
});

describe('engine registry', () => {
  it('an engine started on a state where another runs is told which one; stopped or long-silent engines are not counted', async () => {
    t = makeLocalBackend();
    const spec = app('reg', []);
    // A crashed engine's entry, silent for a minute: not alive.
    await t.backend.tables.declare(leaseTableConfig);
    const old = (id: string, silentMs: number) => ({ id, host: 'h', pid: 1, startedAt: 0, heartbeatAt: t.clock.now() - silentMs });
    // ... and one silent for over a day, which the next engine to start removes.
    await t.backend.tables.update(leaseTable, { name: enginesPath }, { set: { crashed: old('crashed', 60_000), ancient: old('ancient', staleAfterMs + 1) } });
    const a = await startEngine({ backend: t.backend, spec, executor });
    engines.push(a);
    expect(a.others).toEqual([]);
    await t.clock.advance(25_000); // a's heartbeat keeps its entry fresh
    const b = await startEngine({ backend: t.backend, spec, executor });
    engines.push(b);
    expect(b.others).toEqual([expect.objectContaining({ id: a.id, pid: process.pid, heartbeatAt: t.clock.now() - 5000 })]);
    expect(describeOthers(b.others, t.clock.now())).toMatch(/^another engine is already running on this state \(pid \d+ on .+, heartbeat 5 s ago\)\. Both run: streams, bucket events, jobs and maps are split between them by leases/);
    await a.stop();
    engines.splice(0, 1);
    const c = await startEngine({ backend: t.backend, spec, executor });
    engines.push(c);
    expect(c.others.map((e) => e.id)).toEqual([b.id]);
    // A stopped engine's entry is gone, and so is the one silent for over a day.
    expect(Object.keys((await t.backend.tables.get(leaseTable, { name: enginesPath }))!).sort()).toEqual([b.id, c.id, 'crashed', 'name'].sort());
  });

  it('a lease table the registry cannot reach does not stop the engine: it runs unregistered and says why', async () => {
    t = makeLocalBackend();
    const down = () => Promise.reject(new Error('dynamodb does not answer'));
    const tables = new Proxy(t.backend.tables, { get: (target, key) => (key === 'get' || key === 'update' ? down : Reflect.get(target, key)) as unknown });
    const backend = new Proxy(t.backend, { get: (target, key) => (key === 'tables' ? tables : Reflect.get(target, key)) as unknown });
    const e = await startEngine({ backend, spec: app('reg', []), executor });
    engines.push(e);
    expect(e.others).toEqual([]);
    expect(e.registryProblem()).toMatch(/the engine registry \(\/baton\/engines in table baton-leases\) could not be read or written: dynamodb does not answer/);
    expect(e.errors).toEqual([]);
  });

  it('the registry and the leases never touch the parameter store', async () => {
    t = makeLocalBackend();
    const touched: string[] = [];
    const params = new Proxy(t.backend.params, { get: (target, key) => (typeof key === 'string' && key !== 'then' && touched.push(key), Reflect.get(target, key)) as unknown });
    const backend = new Proxy(t.backend, { get: (target, key) => (key === 'params' ? params : Reflect.get(target, key)) as unknown });
    const e = await startEngine({ backend, spec: app('reg', []), executor });
    engines.push(e);
    await t.clock.advance(25_000);
    await e.stop();
    engines.splice(0);
    expect(touched).toEqual([]);
    expect(e.registryProblem()).toBeUndefined();
  });
});
