import { afterAll, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { openLocal } from '../../src/backends/local/index.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { startEngine } from '../../src/runtime/engine/index.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import { fixtures, realBackend, until } from './engine-harness.ts';

/**
 * Review R1 finding F1 (a6c8a74, reverted): a queue trigger that counted attempts at receive left the
 * attempt counted while its batch waited for a function slot (anything else that invokes the
 * function shares the pool), so a crash in that wait dead-lettered a message with maxReceiveCount 1
 * whose handler never ran. Attempts count when a handler starts (DESIGN.md): startAttempts in the
 * run's start group, never at receive.
 */
const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

it('a batch waiting for a slot (never started) has counted no attempt: a crash then restart does not dead-letter it', async () => {
  const env = realBackend();
  const work = fn('w', './sqs-poison.ts', { concurrency: 1, timeout: '30s', triggers: [{ queue: 'w', batchSize: 10 }] });
  const spec = app('slot', [queue('w', { visibilityTimeout: '1m', deadLetter: { maxReceiveCount: 1 } }), work]);
  const engine = await startEngine({ backend: env.backend, spec, executor, settings: { asyncDrainers: 0 } });
  const holder = new AbortController();
  const held = executor.invoke(work.config, { Records: [{ messageId: 'x', body: '{"sleepMs":20000}', attributes: { ApproximateReceiveCount: '1' } }] }, { signal: holder.signal });
  let after: unknown;
  try {
    await env.backend.queues.send('w', { body: '{}' });
    await until(async () => (await env.backend.queues.stats('w')).inFlight === 1, { what: 'the batch to be received' });
    const peeked = (await env.backend.queues.peek('w')).items.map((m) => [m.state, m.attempts]);
    // What a SIGKILL now leaves in state.db, seen by the process that restarts after the lease lapsed.
    const restarted = openLocal({ dir: env.dir, clock: new FakeClock(Date.now() + 10 * 60_000), paramsKey: Buffer.alloc(32, 7) });
    const got = await restarted.queues.receive('w', { countAttempt: false });
    after = { peeked, runs: (await env.backend.runs.list()).length, redelivered: got.length, dlq: (await restarted.queues.stats('w')).deadLettered };
    await restarted.close();
  } finally {
    await engine.stop({ deadlineMs: 200 });
    holder.abort();
    await held;
    await env.close();
  }
  expect(after).toEqual({ peeked: [['inFlight', 0]], runs: 0, redelivered: 1, dlq: 0 });
});
