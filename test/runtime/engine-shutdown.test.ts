import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { startEngine } from '../../src/runtime/engine/index.ts';
import { makeLocalBackend } from '../helpers/local.ts';
import { fixtures, lines, realBackend, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let current: ReturnType<typeof realBackend> | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('graceful shutdown', () => {
  it('during a busy queue loses nothing and leaves nothing in flight: each message was processed once or is visible again', async () => {
    const env = (current = realBackend());
    const spec = app('busy', [
      queue('busy', { visibilityTimeout: '1m', deadLetter: { maxReceiveCount: 5 } }),
      fn('work', './sqs-partial.ts', { concurrency: 2, env: { OUT_FILE: env.out }, triggers: [{ queue: 'busy', batchSize: 5, maxConcurrency: 2, batchingWindow: '20ms' }] }),
    ]);
    const engine = await startEngine({ backend: env.backend, spec, executor });
    const q = env.backend.queues;
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await q.sendBatch('busy', Array.from({ length: 20 }, (_, j) => ({ body: JSON.stringify({ n: i * 20 + j, sleepMs: 15 }) })));
      sent.push(...res.map((r) => r.value!.messageId));
    }
    await until(() => lines(env.out).length >= 20, { what: 'some work done' });
    expect(engine.inFlight()).toBeGreaterThan(0);
    await engine.stop({ deadlineMs: 3000 });

    const processed = lines<{ id: string }>(env.out).map((l) => l.id);
    expect(new Set(processed).size).toBe(processed.length);
    const stats = await q.stats('busy');
    expect(stats).toMatchObject({ inFlight: 0, delayed: 0, deadLettered: 0 });
    expect(processed.length + stats.visible).toBe(sent.length);
    expect(processed.length).toBeLessThan(sent.length);
    // What is left is receivable at once, not hidden behind a lease.
    const left = await q.receive('busy', { maxMessages: 1000, countAttempt: false });
    expect(new Set([...processed, ...left.map((m) => m.messageId)])).toEqual(new Set(sent));
    expect(left.every((m) => m.attempts === 0)).toBe(true);
  });

  it('at the deadline aborts a batch still running and makes its messages visible again at once', async () => {
    const env = (current = realBackend());
    const spec = app('stuck', [queue('slow', { visibilityTimeout: '1m', deadLetter: { maxReceiveCount: 3 } }), fn('slow', './sqs-poison.ts', { timeout: '30s', env: { OUT_FILE: env.out }, triggers: [{ queue: 'slow', batchSize: 1 }] })]);
    const engine = await startEngine({ backend: env.backend, spec, executor });
    const { messageId } = await env.backend.queues.send('slow', { body: '{"sleepMs":20000}' });
    await until(async () => (await env.backend.runs.list({ fn: 'slow' })).length === 1, { what: 'the handler to start' });
    const t0 = Date.now();
    await engine.stop({ deadlineMs: 200 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(lines(env.out)).toEqual([]);
    const stats = await env.backend.queues.stats('slow');
    // Handed back, not released with an error: visible at once, not delayed, not dead-lettered.
    expect(stats).toMatchObject({ visible: 1, inFlight: 0, deadLettered: 0 });
    const [run] = await env.backend.runs.list({ fn: 'slow' });
    expect(run).toMatchObject({ status: 'error', recordIds: [messageId], error: { type: 'Runtime.Aborted' } });
  });
});

describe('stopping while a batch fills its batching window', () => {
  it('hands the partial batch back at once instead of waiting out the window, its attempt not used', async () => {
    const t = makeLocalBackend();
    try {
      const spec = app('window', [queue('w', { deadLetter: { maxReceiveCount: 1 } }), fn('w', './sqs-partial.ts', { triggers: [{ queue: 'w', batchSize: 100, batchingWindow: '5m' }] })]);
      const engine = await startEngine({ backend: t.backend, spec, executor, settings: { asyncDrainers: 0 } });
      await t.backend.queues.send('w', { body: '{}' });
      await until(async () => (await t.backend.queues.stats('w')).inFlight === 1, { what: 'the batch to start filling' });
      await engine.stop({ deadlineMs: 1000 });
      expect(await t.backend.queues.stats('w')).toMatchObject({ visible: 1, inFlight: 0 });
      expect(await t.backend.runs.list()).toEqual([]);
      // No handler started, so no attempt was used: with one attempt allowed, the message is still
      // delivered, not dead-lettered (an attempt counts only when a handler starts: DESIGN.md).
      const again = await t.backend.queues.receive('w', { maxMessages: 10 });
      expect(again.map((m) => m.attempts)).toEqual([1]);
      expect(await t.backend.queues.stats('w')).toMatchObject({ deadLettered: 0 });
    } finally {
      await t.close();
    }
  });
});

describe('stopping while a received batch waits for a function slot', () => {
  it('hands it back with no attempt counted: it never started', async () => {
    const env = (current = realBackend());
    // A direct invoke holds the fn's only slot, so the batch waits unstarted (attempts count when
    // a handler starts: startAttempts, not the receive).
    const work = fn('w', './sqs-poison.ts', { concurrency: 1, timeout: '30s', triggers: [{ queue: 'w', batchSize: 10 }] });
    const spec = app('slot', [queue('w', { visibilityTimeout: '1m', deadLetter: { maxReceiveCount: 1 } }), work]);
    const engine = await startEngine({ backend: env.backend, spec, executor, settings: { asyncDrainers: 0 } });
    const holder = new AbortController();
    const held = executor.invoke(work.config, { Records: [{ messageId: 'x', body: '{"sleepMs":20000}', attributes: { ApproximateReceiveCount: '1' } }] }, { signal: holder.signal });
    try {
      await env.backend.queues.send('w', { body: '{}' });
      await until(async () => (await env.backend.queues.stats('w')).inFlight === 1, { what: 'the batch to be received' });
      await engine.stop({ deadlineMs: 200 });
    } finally {
      holder.abort();
      await held;
    }
    expect(await env.backend.runs.list()).toEqual([]);
    expect(await env.backend.queues.stats('w')).toMatchObject({ visible: 1, inFlight: 0, deadLettered: 0 });
    // Its one allowed attempt is still unused: delivered again, not dead-lettered.
    const again = await env.backend.queues.receive('w', { maxMessages: 10 });
    expect(again.map((m) => m.attempts)).toEqual([1]);
    expect(await env.backend.queues.stats('w')).toMatchObject({ deadLettered: 0 });
  });
});
