import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

// A warm worker left idle for workerIdleMs is ended, as Lambda reclaims an idle environment; one
// used sooner stays warm, a busy one is never ended for being idle, and the next invocation after
// the end starts a fresh worker. Time moves by fake timers (the pool's reaper is a timer and idle
// times come from performance.now()); the workers themselves are real threads.
const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const idleMs = 60_000;

describe('function executor: idle workers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a worker idle for workerIdleMs, keeps one used sooner warm, and starts a fresh one after', async () => {
    const executor = createFunctionExecutor({ root, workerIdleMs: idleMs });
    const echo = fn('echo-idle', './echo.ts', { timeout: 5000 }).config;
    try {
      const cold = await executor.invoke(echo, { n: 1 });
      expect(cold.initDurationMs).toBeGreaterThan(0);
      await vi.advanceTimersByTimeAsync(idleMs - 1000);
      const warm = await executor.invoke(echo, { n: 2 });
      expect(warm).toMatchObject({ status: 'ok', result: { event: { n: 2 } } });
      expect(warm.initDurationMs).toBeUndefined();
      // Idle time counts from the last invocation, not the first.
      await vi.advanceTimersByTimeAsync(idleMs - 1000);
      expect(executor.stats()).toEqual([{ fn: 'echo-idle', running: 0, waiting: 0, workers: 1 }]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(executor.stats()).toEqual([{ fn: 'echo-idle', running: 0, waiting: 0, workers: 0 }]);
      const again = await executor.invoke(echo, { n: 3 });
      expect(again).toMatchObject({ status: 'ok', result: { event: { n: 3 }, fn: 'echo-idle' } });
      expect(again.initDurationMs).toBeGreaterThan(0);
    } finally {
      await executor.close();
    }
  });

  it('never ends a busy worker, and ends each idle worker on its own time', async () => {
    const executor = createFunctionExecutor({ root, workerIdleMs: idleMs });
    const sleep = fn('sleep-idle', './sleep.ts', { timeout: 600_000, concurrency: 2 }).config;
    try {
      // Two warm workers first: a cold start still loading when fake time jumps would hit the
      // (fake) init timeout. Then one finishes now, the other runs on until the test writes its file.
      await Promise.all([executor.invoke(sleep, { ms: 10 }), executor.invoke(sleep, { ms: 10 })]);
      const gate = join(mkdtempSync(join(tmpdir(), 'baton-idle-')), 'go');
      const [long, short] = [executor.invoke(sleep, { ms: 0, until: gate }), executor.invoke(sleep, { ms: 10 })];
      expect((await short).status).toBe('ok');
      await vi.advanceTimersByTimeAsync(idleMs);
      expect(executor.stats()[0]).toMatchObject({ running: 1, workers: 1 });
      writeFileSync(gate, '');
      expect((await long).status).toBe('ok');
      await vi.advanceTimersByTimeAsync(idleMs - 1);
      expect(executor.stats()[0]).toMatchObject({ running: 0, workers: 1 });
      await vi.advanceTimersByTimeAsync(1);
      expect(executor.stats()[0]).toMatchObject({ running: 0, workers: 0 });
    } finally {
      await executor.close();
    }
  });

  it('ends a worker at its idle time when the wall clock is set back meanwhile (idle ages are monotonic)', async () => {
    const executor = createFunctionExecutor({ root, workerIdleMs: idleMs });
    const echo = fn('echo-clock-step', './echo.ts', { timeout: 5000 }).config;
    try {
      await executor.invoke(echo, { n: 1 });
      vi.setSystemTime(Date.now() - 3_600_000); // Date only; performance.now() goes on
      await vi.advanceTimersByTimeAsync(idleMs - 1);
      expect(executor.stats()[0]).toMatchObject({ running: 0, workers: 1 });
      await vi.advanceTimersByTimeAsync(1);
      // With Date.now() ages the worker stayed an hour longer.
      expect(executor.stats()[0]).toMatchObject({ running: 0, workers: 0 });
    } finally {
      await executor.close();
    }
  });

  // setTimeout waits at most 2^31 - 1 ms; Node (and the fake timers) turn a longer wait into 1 ms.
  it('with an idle time past what one timer can wait, sets no 1 ms timer, and still ends the worker at its time', async () => {
    const longIdle = 30 * 24 * 3_600_000; // 30 days
    const executor = createFunctionExecutor({ root, workerIdleMs: longIdle });
    const echo = fn('echo-long-idle', './echo.ts', { timeout: 5000 }).config;
    try {
      await executor.invoke(echo, { n: 1 });
      const timers = vi.spyOn(globalThis, 'setTimeout');
      await vi.advanceTimersByTimeAsync(1000);
      // Was re-armed every millisecond (with a TimeoutOverflowWarning each time on real timers).
      expect(timers).not.toHaveBeenCalled();
      timers.mockRestore();
      await vi.advanceTimersByTimeAsync(longIdle - 1001);
      expect(executor.stats()[0]).toMatchObject({ running: 0, workers: 1 });
      await vi.advanceTimersByTimeAsync(1);
      expect(executor.stats()[0]).toMatchObject({ running: 0, workers: 0 });
    } finally {
      await executor.close();
    }
  });

  it('refuses a workerIdleMs that is not a number >= 0 (NaN re-armed the timer every millisecond)', () => {
    for (const bad of [Number.NaN, -1, '5m' as unknown as number]) {
      expect(() => createFunctionExecutor({ root, workerIdleMs: bad })).toThrow(ValidationError);
    }
  });
});
