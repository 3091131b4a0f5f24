import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn, type FnOptions } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const executor = createFunctionExecutor({ root });
afterAll(() => executor.close());

const def = (name: string, module: string, opts: FnOptions = {}) => fn(name, module, { timeout: 2000, ...opts }).config;

describe('function executor: handlers as AWS documents them', () => {
  it('runs the async handler from the Lambda docs unchanged', async () => {
    const inv = await executor.invoke(def('hello', './hello.mjs'), { key1: 'value1' });
    expect(inv.status).toBe('ok');
    expect(inv.result).toEqual({ statusCode: 200, body: '"Hello from Lambda!"' });
    expect(inv.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(inv.initDurationMs).toBeGreaterThan(0);
  });

  it('runs a TypeScript async handler and keeps the worker warm', async () => {
    const f = def('echo', './echo.ts');
    const first = await executor.invoke(f, { n: 1 });
    const second = await executor.invoke(f, { n: 2 }, { requestId: 'req-2' });
    expect(first.result).toEqual({ event: { n: 1 }, requestId: first.requestId, fn: 'echo' });
    expect(second.result).toEqual({ event: { n: 2 }, requestId: 'req-2', fn: 'echo' });
    expect(second.initDurationMs).toBeUndefined();
  });

  it('runs a callback-style handler (success and failure)', async () => {
    const f = def('cb', './callback.mjs');
    const ok = await executor.invoke(f, { name: 'ada' });
    expect(ok).toMatchObject({ status: 'ok', result: { statusCode: 200, body: 'hello ada' } });
    const failed = await executor.invoke(f, { fail: true });
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ errorType: 'Error', errorMessage: 'callback failure' });
  });

  it('runs a CommonJS handler using the deprecated context.succeed', async () => {
    const inv = await executor.invoke(def('legacy', './legacy.cjs'), { value: 7 });
    expect(inv).toMatchObject({ status: 'ok', result: { legacy: true, value: 7 } });
  });

  it('gives the handler a Lambda context', async () => {
    const inv = await executor.invoke(def('ctx-fn', './context.ts', { timeout: 1500, memory: 256 }), {}, { requestId: 'abc-123' });
    expect(inv.status).toBe('ok');
    const r = inv.result as Record<string, unknown>;
    expect(r).toMatchObject({
      functionName: 'ctx-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ctx-fn',
      memoryLimitInMB: '256',
      awsRequestId: 'abc-123',
      logGroupName: '/aws/lambda/ctx-fn',
      callbackWaitsForEmptyEventLoop: true,
      hasDone: true,
    });
    expect(r.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(r.remainingBefore).toBeGreaterThan(1000);
    expect(r.remainingBefore).toBeLessThanOrEqual(1500);
    expect(r.remainingAfter as number).toBeLessThanOrEqual((r.remainingBefore as number) - 40);
  });

  it('passes the env vars of the definition, and Lambda reserved ones', async () => {
    const inv = await executor.invoke(def('env-fn', './env.ts', { env: { TABLE_NAME: 'orders', STAGE: 'test' } }), { names: ['TABLE_NAME', 'STAGE', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'NOT_SET_ANYWHERE'] });
    expect(inv.result).toEqual({ TABLE_NAME: 'orders', STAGE: 'test', AWS_LAMBDA_FUNCTION_NAME: 'env-fn', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', NOT_SET_ANYWHERE: null });
    expect(process.env.TABLE_NAME).toBeUndefined();
  });
});

describe('function executor: errors', () => {
  const f = def('throws', './throws.ts');

  it('reports a thrown error with its name, message and stack', async () => {
    const inv = await executor.invoke(f, { kind: 'custom' });
    expect(inv.status).toBe('error');
    expect(inv.error).toMatchObject({ errorType: 'OrderError', errorMessage: 'order 42 is invalid', name: 'OrderError' });
    expect(inv.error?.stack).toContain('throws.ts');
    expect(inv.logs.some((l) => l.level === 'error' && l.message.startsWith('Invoke Error {"errorType":"OrderError"'))).toBe(true);
    const typeErr = await executor.invoke(f, { kind: 'type' });
    expect(typeErr.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad type' });
  });

  it('reports a thrown non-Error as Lambda does (its typeof as the type)', async () => {
    expect((await executor.invoke(f, { kind: 'string' })).error).toMatchObject({ errorType: 'string', errorMessage: 'plain string failure' });
    expect((await executor.invoke(f, { kind: 'object' })).error).toMatchObject({ errorType: 'object', errorMessage: '{"reason":"an object"}' });
  });

  it('says clearly when a result cannot be serialized', async () => {
    for (const kind of ['bigint', 'circular']) {
      const inv = await executor.invoke(f, { kind });
      expect(inv.status).toBe('error');
      expect(inv.error?.errorType).toBe('Runtime.ResultNotSerializable');
      expect(inv.error?.errorMessage).toMatch(/fn "throws": the handler's result cannot be serialized to JSON .*Return plain data/);
    }
  });

  it('rejects an event that is not JSON before running anything', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(executor.invoke(f, circular)).rejects.toThrow(/fn "throws": the event cannot be serialized to JSON/);
  });

  it('reports an uncaught exception and process.exit as crashes, and recovers', async () => {
    const uncaught = await executor.invoke(f, { kind: 'uncaught' });
    expect(uncaught.status).toBe('error');
    expect(uncaught.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'thrown from a timer' });
    const exit = await executor.invoke(f, { kind: 'exit' });
    expect(exit.status).toBe('error');
    expect(exit.error).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(exit.error?.errorMessage).toContain('exited with code 3');
    expect(await executor.invoke(f, { kind: 'none' })).toMatchObject({ status: 'ok', result: 'fine' });
  });

  it('reports a module that throws while loading as an init error, with its init logs', async () => {
    const inv = await executor.invoke(def('init-throws', './init-throws.ts'), {});
    expect(inv.status).toBe('error');
    expect(inv.error?.errorType).toBe('Runtime.InitError');
    expect(inv.error?.errorMessage).toContain('fn "init-throws": module "./init-throws.ts" threw while loading: Error: database URL is not set');
    expect(inv.initDurationMs).toBeGreaterThan(0);
    expect(inv.logs.map((l) => l.message)).toContain('loading init-throws');
  });

  it('reports a missing module', async () => {
    const inv = await executor.invoke(def('missing', './does-not-exist.ts'), {});
    expect(inv.status).toBe('error');
    expect(inv.error?.errorType).toBe('Runtime.ImportModuleError');
    expect(inv.error?.errorMessage).toMatch(/fn "missing": module "\.\/does-not-exist\.ts" was not found \(looked for .*does-not-exist\.ts\)/);
  });

  it('reports a missing handler export and lists the exports', async () => {
    const inv = await executor.invoke(def('no-export', './no-export.ts'), {});
    expect(inv.status).toBe('error');
    expect(inv.error?.errorType).toBe('Runtime.HandlerNotFound');
    expect(inv.error?.errorMessage).toContain('has no export "handler" (it exports: helper, main)');
    const notFn = await executor.invoke(def('no-export2', './no-export.ts', { handler: 'helper' }), {});
    expect(notFn.error?.errorMessage).toContain('export "helper" is a number, not a function');
    const named = await executor.invoke(def('no-export3', './no-export.ts', { handler: 'main' }), {});
    expect(named).toMatchObject({ status: 'ok', result: 'main' });
  });
});

describe('function executor: time limit', () => {
  it('kills a handler past its limit with Lambda\'s message, and the pool recovers', async () => {
    const f = def('slow', './sleep.ts', { timeout: 400, concurrency: 1 });
    const warm = await executor.invoke(f, { ms: 1 });
    expect(warm.status).toBe('ok');
    const t0 = Date.now();
    const inv = await executor.invoke(f, { ms: 5000 });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(inv.status).toBe('timeout');
    expect(inv.error).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.40 seconds' });
    expect(inv.durationMs).toBeGreaterThanOrEqual(390);
    expect(inv.logs.at(-1)?.message).toBe(`${inv.requestId} Task timed out after 0.40 seconds`);
    const next = await executor.invoke(f, { ms: 1 });
    expect(next.status).toBe('ok');
    expect(next.initDurationMs).toBeGreaterThan(0);
  });

  it('kills a handler that never yields (a busy loop)', async () => {
    const f = def('spin', './sleep.ts', { timeout: 300, handler: 'spin' });
    const inv = await executor.invoke(f, { ms: 60_000 });
    expect(inv.status).toBe('timeout');
    expect(inv.error?.errorMessage).toBe('Task timed out after 0.30 seconds');
    expect((await executor.invoke(f, { ms: 1 })).result).toBe('spun');
  });

  it('formats the limit as Lambda does', async () => {
    const { timeoutMessage } = await import('../../src/runtime/executor/index.ts');
    expect(timeoutMessage(2000)).toBe('Task timed out after 2.00 seconds');
    expect(timeoutMessage(900_000)).toBe('Task timed out after 900.00 seconds');
  });
});

describe('function executor: concurrency', () => {
  it('runs at most `concurrency` invocations at once, the rest in FIFO order', async () => {
    const f = def('bounded', './sleep.ts', { concurrency: 2 });
    await Promise.all([executor.invoke(f, { ms: 1 }), executor.invoke(f, { ms: 1 })]); // warm both workers
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => executor.invoke(f, { ms: 80, tag: `t${i}` })));
    const spans = runs.map((r) => r.result as { start: number; end: number; tag: string });
    expect(runs.every((r) => r.status === 'ok')).toBe(true);
    // At every moment a handler starts, at most two handlers are running (spans are [start, end)).
    const runningAt = (t: number) => spans.filter((o) => o.start <= t && t < o.end).length;
    expect(Math.max(...spans.map((s) => runningAt(s.start)))).toBe(2);
    // FIFO: the first two start first, the last two start last.
    const order = [...spans].sort((a, b) => a.start - b.start).map((s) => s.tag);
    expect(order.slice(0, 2).sort()).toEqual(['t0', 't1']);
    expect(order.slice(4).sort()).toEqual(['t4', 't5']);
    expect(runs.slice(2).every((r) => r.queuedMs > 50)).toBe(true);
    expect(executor.stats().find((s) => s.fn === 'bounded')).toEqual({ fn: 'bounded', running: 0, waiting: 0, workers: 2 });
  });

  it('rejects a waiting invocation when its signal aborts, and stops a running one', async () => {
    const f = def('abortable', './sleep.ts', { concurrency: 1 });
    const running = new AbortController();
    const waiting = new AbortController();
    const first = executor.invoke(f, { ms: 5000 }, { signal: running.signal });
    const second = executor.invoke(f, { ms: 1 }, { signal: waiting.signal });
    waiting.abort(new Error('shutting down'));
    await expect(second).rejects.toThrow(/aborted while waiting for a free slot \(shutting down\); the handler never ran/);
    await new Promise((r) => setTimeout(r, 50));
    running.abort(new Error('deadline'));
    const inv = await first;
    expect(inv.status).toBe('error');
    expect(inv.error?.errorType).toBe('Runtime.Aborted');
    expect((await executor.invoke(f, { ms: 1 })).status).toBe('ok');
  });
});
