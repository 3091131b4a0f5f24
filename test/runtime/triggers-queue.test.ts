import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { makeLocalBackend } from '../helpers/local.ts';
import { fixtures, lines, realBackend, runsSettled, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let env: Pick<ReturnType<typeof realBackend>, 'backend' | 'dir' | 'out' | 'close'> | undefined;
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
    // The fake clock keeps the failed messages hidden until the test moves it: no race with a retry.
    const fake = makeLocalBackend();
    const out = join(fake.dir, 'out.jsonl');
    env = { backend: fake.backend, dir: fake.dir, out, close: () => fake.close() };
    const spec = app('partial', [queue('orders', { visibilityTimeout: '30s' }), fn('partial', './sqs-partial.ts', { env: { OUT_FILE: out }, triggers: [{ queue: 'orders', batchSize: 10 }] })]);
    engine = await startEngine({ backend: env.backend, spec, executor });
    const q = env.backend.queues;
    const sent = await q.sendBatch('orders', [{ body: '{"n":1}', attributes: { kind: 'order', n: 1 } }, { body: '{"n":2,"fail":true}' }, { body: '{"n":3}' }, { body: '{"n":4,"fail":true}' }]);
    const ids = sent.map((s) => s.value!.messageId);
    await runsSettled(env.backend, 'partial');
    await engine.stop();
    engine = undefined;

    const processed = lines<{ id: string; body: string; receiveCount: string; source: string; md5: string; attrs: Record<string, unknown> }>(out);
    expect(processed.map((p) => p.id).sort()).toEqual([ids[0], ids[2]].sort());
    const first = processed.find((p) => p.id === ids[0])!;
    expect(first).toMatchObject({ body: '{"n":1}', receiveCount: '1', source: 'arn:aws:sqs:us-east-1:000000000000:orders', md5: createHash('md5').update('{"n":1}').digest('hex') });
    expect(first.attrs).toEqual({ kind: { stringValue: 'order', stringListValues: [], binaryListValues: [], dataType: 'String' }, n: { stringValue: '1', stringListValues: [], binaryListValues: [], dataType: 'Number' } });

    const all = await runs('partial');
    expect(all).toHaveLength(1);
    // A partial batch is recorded as such (as the stream trigger records one): error, naming the failed messages.
    expect(all[0]).toMatchObject({ trigger: 'queue:orders', status: 'error', attempt: 1, error: { type: 'BatchItemFailures' } });
    expect(all[0]!.error!.message).toBe(`2 of 4 messages reported in batchItemFailures (${ids[1]}, ${ids[3]}): those are retried, the other 2 are done and deleted.`);
    expect([...all[0]!.recordIds].sort()).toEqual([...ids].sort());
    // Only the two failed messages are left, hidden for the visibility timeout, with the error recorded.
    expect(await q.stats('orders')).toMatchObject({ visible: 0, inFlight: 0, delayed: 2 });
    await fake.clock.advance(30_000);
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
    await runsSettled(env.backend, 'slow', 2);
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

  it.each([
    ['without a batching window', undefined],
    ['with a batching window', '1ms'],
  ] as const)('numbers the runs of a retried message by its attempts, %s, and dead-letters it after maxReceiveCount', async (_how, batchingWindow) => {
    env = realBackend();
    const spec = app('retries', [
      queue('jobs', { visibilityTimeout: '100ms', deadLetter: { maxReceiveCount: 2 } }),
      fn('poison', './sqs-poison.ts', { triggers: [{ queue: 'jobs', batchSize: 10, ...(batchingWindow ? { batchingWindow } : {}) }] }),
    ]);
    engine = await startEngine({ backend: env.backend, spec, executor });
    const { messageId } = await env.backend.queues.send('jobs', { body: 'poison' });
    await until(async () => (await env!.backend.queues.stats('jobs')).deadLettered === 1, { what: 'the message in the DLQ' });
    await runsSettled(env.backend, 'poison', 2);
    const all = await runs('poison');
    expect(all.map((r) => [r.status, r.attempt, r.recordIds])).toEqual([
      ['error', 2, [messageId]],
      ['error', 1, [messageId]],
    ]);
    const [dead] = await env.backend.queues.receive('jobs-dlq', { countAttempt: false });
    expect(dead).toMatchObject({ messageId, attempts: 2 });
  });

  it('extends the visibility of a batch that outlives its visibility timeout, so it is not delivered twice', async () => {
    // The fake clock races ahead (100 ms per 5 ms of real time) while the handler sleeps 400 ms
    // of real time: about 50 visibility timeouts pass, and only the heartbeat keeps the lease.
    // One out file for both runs, so the function's settings match and its warm worker is reused.
    const out = join(tmpdir(), `baton-heartbeat-${process.pid}.jsonl`);
    rmSync(out, { force: true });
    const deliveries = async (heartbeatDivisor: number) => {
      const fake = makeLocalBackend();
      const before = lines(out).length;
      env = { backend: fake.backend, dir: fake.dir, out, close: () => fake.close() };
      const spec = app('heartbeat', [queue('long', { visibilityTimeout: '150ms' }), fn('long', './sqs-poison.ts', { timeout: '3s', env: { OUT_FILE: out }, triggers: [{ queue: 'long', batchSize: 1, maxConcurrency: 3 }] })]);
      engine = await startEngine({ backend: env.backend, spec, executor, settings: { heartbeatDivisor, asyncDrainers: 0 } });
      await env.backend.queues.send('long', { body: '{"sleepMs":400}' });
      await until(async () => (await runs('long')).some((r) => r.status === 'ok'), { clock: fake.clock, what: 'the slow batch' });
      await until(async () => (await runs('long')).every((r) => r.status !== 'running'), { what: 'every run to end' });
      const n = lines(out).length - before;
      await engine.stop();
      engine = undefined;
      await env.close();
      env = undefined;
      return n;
    };
    expect(await deliveries(3)).toBe(1);
    // The control: without a heartbeat (interval 0) the same batch is delivered again.
    expect(await deliveries(1e9)).toBeGreaterThan(1);
    rmSync(out, { force: true });
  });
});
