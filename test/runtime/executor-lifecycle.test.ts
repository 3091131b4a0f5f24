import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fn, type FnOptions } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const def = (name: string, module: string, opts: FnOptions = {}) => fn(name, module, { timeout: 3000, ...opts }).config;

describe('function executor: worker lifecycle', () => {
  it('reports running out of memory as a crash at the memory limit', async () => {
    const executor = createFunctionExecutor({ root });
    try {
      const inv = await executor.invoke(def('hog', './memory.ts', { memory: 128, timeout: 20_000 }), {});
      expect(inv.status).toBe('error');
      expect(inv.error?.errorType).toBe('Runtime.OutOfMemory');
      expect(inv.error?.errorMessage).toContain('ran out of memory (limit 128 MB)');
    } finally {
      await executor.close();
    }
  });

  it('times out a module that takes too long to load', async () => {
    const executor = createFunctionExecutor({ root, initTimeoutMs: 300 });
    try {
      const inv = await executor.invoke(def('slow-init', './slow-init.ts'), {});
      expect(inv.status).toBe('timeout');
      expect(inv.error?.errorMessage).toMatch(/^Init timed out after 0\.30 seconds: fn "slow-init" took too long to load its module/);
    } finally {
      await executor.close();
    }
  });

  it('tries to load a failing module again on the next invocation, as Lambda does', async () => {
    const executor = createFunctionExecutor({ root });
    try {
      const f = def('init-throws', './init-throws.ts');
      const [a, b] = [await executor.invoke(f, {}), await executor.invoke(f, {})];
      expect([a.error?.errorType, b.error?.errorType]).toEqual(['Runtime.InitError', 'Runtime.InitError']);
      expect(executor.stats()).toEqual([{ fn: 'init-throws', running: 0, waiting: 0, workers: 0 }]);
    } finally {
      await executor.close();
    }
  });

  it('starts fresh workers when a function\'s settings change', async () => {
    const executor = createFunctionExecutor({ root });
    try {
      const a = await executor.invoke(def('env-fn', './env.ts', { env: { MODE: 'a' } }), { names: ['MODE'] });
      const b = await executor.invoke(def('env-fn', './env.ts', { env: { MODE: 'b' } }), { names: ['MODE'] });
      expect([a.result, b.result]).toEqual([{ MODE: 'a' }, { MODE: 'b' }]);
    } finally {
      await executor.close();
    }
  });

  it('close() ends running invocations and refuses new ones', async () => {
    const executor = createFunctionExecutor({ root });
    const f = def('sleepy', './sleep.ts', { concurrency: 1 });
    await executor.invoke(f, { ms: 1 });
    const running = executor.invoke(f, { ms: 10_000 });
    const waiting = executor.invoke(f, { ms: 1 }).then(
      () => 'ran',
      (err: Error) => err.message,
    );
    await new Promise((r) => setTimeout(r, 50));
    await executor.close();
    const inv = await running;
    expect(inv.status).toBe('error');
    expect(inv.error?.errorMessage).toContain('the worker was stopped because the executor closed');
    expect(await waiting).toMatch(/the executor was closed before this invocation could start/);
    await expect(executor.invoke(f, {})).rejects.toThrow(/fn "sleepy": the executor is closed/);
  });
});
