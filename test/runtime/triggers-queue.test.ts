import { createHash } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { fixtures, lines, realBackend, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let env: ReturnType<typeof realBackend> | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  await env?.close();
  engine = undefined;
  env = undefined;
});

async function runs(fnName: string) {
  return env!.backend.runs.list({ fn: fnName, limit: 1000 });
}

describe('queue -> fn trigger', () => {
  it('deletes the messages a handler processed and returns only those it listed in batchItemFailures', async () => {
    env = realBackend();
    const spec = app('partial', [queue('orders', { visibilityTimeout: '200ms' }), fn('partial', './sqs-partial.ts', { env: { OUT_FILE: env.out }, triggers: [{ queue: 'orders', batchSize: 10, batchingWindow: '150ms' }] })]);
    engine = await startEngine({ backend: env.backend, spec, executor });
    const q = env.backend.queues;
    const sent = await q.sendBatch('orders', [{ body: '{"n":1}', attributes: { kind: 'order', n: 1 } }, { body: '{"n":2,"fail":true}' }, { body: '{"n":3}' }, { body: '{"n":4,"fail":true}' }]);
    const ids = sent.map((s) => s.value!.messageId);
    await until(async () => (await runs('partial')).some((r) => r.status === 'ok'), { what: 'the first batch' });
    await engine.stop();
    engine = undefined;

    const processed = lines<{ id: string; body: string; receiveCount: string; source: string; md5: string; attrs: Record<string, unknown> }>(env.out);
    expect(processed.map((p) => p.id).sort()).toEqual([ids[0], ids[2]].sort());
    const first = processed.find((p) => p.id === ids[0])!;
    expect(first).toMatchObject({ body: '{"n":1}', receiveCount: '1', source: 'arn:aws:sqs:local:000000000000:orders', md5: createHash('md5').update('{"n":1}').digest('hex') });
    expect(first.attrs).toEqual({ kind: { stringValue: 'order', stringListValues: [], binaryListValues: [], dataType: 'String' }, n: { stringValue: '1', stringListValues: [], binaryListValues: [], dataType: 'Number' } });

    const [run] = await runs('partial');
    expect(run).toMatchObject({ trigger: 'queue:orders', status: 'ok', attempt: 1 });
    expect([...run!.recordIds].sort()).toEqual([...ids].sort());
    // Only the two failed messages are left, with the error recorded and one attempt each.
    const stats = await q.stats('orders');
    expect(stats.visible + stats.delayed).toBe(2);
    await new Promise((r) => setTimeout(r, 250));
    const back = await q.receive('orders', { maxMessages: 10, countAttempt: false });
    expect(back.map((m) => m.messageId).sort()).toEqual([ids[1], ids[3]].sort());
    expect(back.every((m) => m.attempts === 1 && /batchItemFailures/.test(m.lastError?.message ?? ''))).toBe(true);
  });

  it('kills a handler past its limit, counts a timeout, returns the message, and the pool recovers', async () => {
    env = realBackend();
    const spec = app('timeouts', [queue('jobs', { visibilityTimeout: '150ms' }), fn('slow', './sqs-poison.ts', { timeout: '250ms', env: { OUT_FILE: env.out }, triggers: [{ queue: 'jobs', batchSize: 1 }] })]);
    engine = await startEngine({ backend: env.backend, spec, executor });
    const { messageId } = await env.backend.queues.send('jobs', { body: '{"sleepMs":5000}' });
    await until(() => lines(env!.out).length === 1, { what: 'the retried message' });
    expect(lines(env.out)).toEqual([{ id: messageId, body: '{"sleepMs":5000}' }]);
    const all = await runs('slow');
    expect(all.map((r) => [r.status, r.attempt, r.error?.type])).toEqual([
      ['ok', 2, undefined],
      ['timeout', 1, 'Sandbox.Timedout'],
    ]);
    expect(engine.counters).toMatchObject({ invocations: 2, timeouts: 1, errors: 0 });
    const stats = await env.backend.queues.stats('jobs');
    expect(stats.visible + stats.inFlight + stats.delayed).toBe(0);
  });

  it('extends the visibility of a batch that outlives its visibility timeout, so it is not delivered twice', async () => {
    env = realBackend();
    const spec = app('heartbeat', [queue('long', { visibilityTimeout: '150ms' }), fn('long', './sqs-poison.ts', { timeout: '3s', env: { OUT_FILE: env.out }, triggers: [{ queue: 'long', batchSize: 1, maxConcurrency: 3 }] })]);
    engine = await startEngine({ backend: env.backend, spec, executor });
    await env.backend.queues.send('long', { body: '{"sleepMs":700}' });
    await until(async () => (await runs('long')).some((r) => r.status === 'ok'), { what: 'the slow batch' });
    await new Promise((r) => setTimeout(r, 200));
    expect(lines(env.out)).toHaveLength(1);
    expect((await runs('long')).map((r) => r.status)).toEqual(['ok']);
    const stats = await env.backend.queues.stats('long');
    expect(stats.visible + stats.inFlight).toBe(0);
  });
});
