import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createContainerExecutor, createRoutingExecutor } from '../../src/runtime/container/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jobs');
const container = createContainerExecutor({ root });
const routing = createRoutingExecutor({ root });
afterAll(() => Promise.all([container.close(), routing.close()]));

describe('container executor', () => {
  it('runs the same handler past the function time limit, with the Lambda context and captured logs', async () => {
    const f = fn('unit', './unit.ts', { timeout: 1000, executor: 'container' }).config;
    const inv = await container.invoke(f, { ms: 1300, stdout: 'raw line' }, { requestId: 'req-long' });
    expect(inv.status).toBe('ok');
    expect(inv.result).toMatchObject({ executor: 'container', thread: 'main', requestId: 'req-long' });
    expect((inv.result as { remaining: number }).remaining).toBeGreaterThan(24 * 86_400_000);
    expect(inv.logs.map((l) => l.message)).toEqual(expect.arrayContaining(['unit of work size=0', 'raw line']));
  });

  it('reports a handler error in the same shape as the function executor', async () => {
    const f = fn('unit', './unit.ts', { executor: 'container' }).config;
    const inv = await container.invoke(f, { fail: 'too big' });
    expect(inv.status).toBe('error');
    expect(inv.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'too big' });
    expect(inv.logs.some((l) => l.level === 'error' && l.message.startsWith('Invoke Error'))).toBe(true);
  });

  it('bounds concurrency and keeps children warm', async () => {
    const f = fn('unit-c', './unit.ts', { executor: 'container', concurrency: 2 }).config;
    const invs = await Promise.all([1, 2, 3, 4].map(() => container.invoke(f, { ms: 150 })));
    const pids = new Set(invs.map((i) => (i.result as { pid: number }).pid));
    expect(pids.size).toBe(2);
    expect(invs.filter((i) => i.queuedMs > 100)).toHaveLength(2);
  });
});

describe('routing executor', () => {
  it('sends large items to the container executor and small ones to the function executor', async () => {
    const f = fn('routed', './unit.ts', { timeout: 1000, route: (e) => ((e as { size: number }).size > 1000 ? 'container' : 'function') }).config;
    const [small, large] = await Promise.all([routing.invoke(f, { size: 10 }), routing.invoke(f, { size: 5000, ms: 1200 })]);
    expect(small).toMatchObject({ status: 'ok', executor: 'function', result: { executor: 'function', thread: 'worker' } });
    expect(large).toMatchObject({ status: 'ok', executor: 'container', result: { executor: 'container', thread: 'main' } });
  });

  it('refuses a routing rule that returns something else, naming the function', async () => {
    const f = fn('bad-route', './unit.ts', { route: () => 'lambda' as 'function' }).config;
    await expect(routing.invoke(f, {})).rejects.toThrow(/fn "bad-route": its routing rule returned "lambda"/);
  });
});
