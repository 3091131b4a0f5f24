import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { describeOthers, enginesPath } from '../../src/runtime/engine/registry.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
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
    await t.backend.params.put(`${enginesPath}/crashed`, { value: JSON.stringify({ id: 'crashed', host: 'h', pid: 1, startedAt: 0, heartbeatAt: t.clock.now() - 60_000 }) });
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
  });

  it('a parameter store the registry cannot reach does not stop the engine: it runs unregistered and says why', async () => {
    t = makeLocalBackend();
    const down = () => Promise.reject(new Error('ssm does not answer'));
    const params = new Proxy(t.backend.params, { get: (target, key) => (key === 'getByPath' || key === 'put' ? down : Reflect.get(target, key)) as unknown });
    const backend = new Proxy(t.backend, { get: (target, key) => (key === 'params' ? params : Reflect.get(target, key)) as unknown });
    const e = await startEngine({ backend, spec: app('reg', []), executor });
    engines.push(e);
    expect(e.others).toEqual([]);
    expect(e.registryProblem()).toMatch(/the engine registry \(\/baton\/engines\) could not be read or written: ssm does not answer/);
    expect(e.errors).toEqual([]);
  });
});
