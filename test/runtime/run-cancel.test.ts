/**
 * Cancelling a run (issue 14; runtime/invoke/cancel.ts): a handler that never returns is stopped
 * after a cancel request, within the engine's next poll of the requests (the fake clock moves it;
 * no test sleeps for it), and no record is lost: the queue messages come back after the visibility
 * timeout and end in the DLQ after maxReceiveCount; a stream batch is retried per its rules; an
 * async invocation is not retried but goes to its on-failure destination with the cancellation as its
 * error; a relay's job is cancelled.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../src/core/errors.ts';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { table } from '../../src/core/resources/table.ts';
import type { Run } from '../../src/ports/runs.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { cancelRun, invokeAsync } from '../../src/runtime/invoke/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { fixtures } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let t: TestBackend | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  await t?.close();
  engine = undefined;
  t = undefined;
});

/** Waits in real time (never moving the fake clock) until `find` returns something. */
async function waitFor<T>(what: string, find: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const v = await find();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 10));
  }
}

const running = (fnName: string) => waitFor(`a running run of ${fnName}`, async () => (await t!.backend.runs.list({ fn: fnName, status: 'running' }))[0]);
const ended = (id: string) => waitFor(`run ${id} to end`, async () => {
  const r = await t!.backend.runs.get(id);
  return r && r.status !== 'running' ? r : undefined;
});

/** Asks to cancel `run`, then moves the clock by one poll of the engine's cancel watch; resolves with the run as it ended. */
async function cancel(run: Run): Promise<Run> {
  await t!.backend.runs.requestCancel(run.id, { by: 'test' });
  // The request alone stops nothing: the engine reads requests on its next poll.
  await new Promise<void>((r) => setTimeout(r, 50));
  expect((await t!.backend.runs.get(run.id))?.status).toBe('running');
  await t!.clock.advance(1000);
  return ended(run.id);
}

describe('cancelling a run', () => {
  it('stops a queue handler that never returns; its message is not deleted, comes back after the visibility timeout, and goes to the DLQ after maxReceiveCount', async () => {
    t = makeLocalBackend();
    const spec = app('cancel', [queue('work', { visibilityTimeout: '30s', deadLetter: { maxReceiveCount: 2 } }), fn('stuck', './sleep.ts', { handler: 'spin', timeout: '5m', triggers: [{ queue: 'work', batchSize: 1 }] })]);
    engine = await startEngine({ backend: t.backend, spec, executor });
    const { messageId } = await t.backend.queues.send('work', { body: JSON.stringify({ ms: 600_000 }) });

    const first = await running('stuck');
    const at = t.clock.now();
    const done = await cancel(first);
    expect(done).toMatchObject({ status: 'cancelled', attempt: 1, recordIds: [messageId], cancelRequest: { at, by: 'test' }, error: { type: 'Baton.Cancelled' } });
    expect(done.error!.message).toBe(`Run ${first.id} was cancelled by test at ${new Date(at).toISOString()}; its worker was stopped.`);
    expect((await t.backend.runs.logs(first.id)).at(-1)).toMatchObject({ level: 'error', message: expect.stringContaining('was cancelled by test') });
    expect(await t.backend.runs.cancelRequests()).toEqual([]);
    expect(engine.counters).toMatchObject({ invocations: 1, errors: 1 });
    // Released, not deleted: hidden for the visibility timeout, the cancellation as its last error.
    await waitFor('the message released', async () => ((await t!.backend.queues.stats('work')).delayed === 1 ? true : undefined));
    const peeked = await t.backend.queues.peek('work', { limit: 10 });
    expect(peeked.items).toMatchObject([{ messageId, attempts: 1, lastError: { name: 'Baton.Cancelled' } }]);

    // Back after the visibility timeout: a second run, cancelled again, uses the last receive.
    await t.clock.advance(30_000);
    const second = await waitFor('the second run', async () => (await t!.backend.runs.list({ fn: 'stuck', status: 'running' })).find((r) => r.id !== first.id));
    expect(second).toMatchObject({ attempt: 2, recordIds: [messageId] });
    expect((await cancel(second)).status).toBe('cancelled');
    const dlq = await waitFor('the message in the DLQ', async () => {
      const page = await t!.backend.queues.peek('work-dlq', { limit: 10 });
      return page.items.length ? page.items : undefined;
    });
    expect(dlq).toMatchObject([{ messageId, attempts: 2, sourceQueue: 'work', lastError: { name: 'Baton.Cancelled' } }]);
    expect((await t.backend.queues.stats('work')).delayed + (await t.backend.queues.stats('work')).visible).toBe(0);
  });

  it('does not retry a cancelled async invocation: it goes to its on-failure destination at once, the cancellation as its error', async () => {
    t = makeLocalBackend();
    const spec = app('cancel-async', [queue('failed'), fn('stuck', './sleep.ts', { handler: 'spin', timeout: '5m', retries: 2, onFailure: { queue: 'failed' } })]);
    engine = await startEngine({ backend: t.backend, spec, executor });
    const { requestId } = await invokeAsync({ backend: t.backend, executor, fns: spec.fns }, 'stuck', { ms: 600_000 });
    const run = await running('stuck');
    expect(run.requestId).toBe(requestId);
    expect((await cancel(run)).status).toBe('cancelled');
    const record = await waitFor('the destination record', async () => (await t!.backend.queues.receive('failed', { maxMessages: 1, countAttempt: false }))[0]);
    expect(JSON.parse(record.body)).toMatchObject({ requestContext: { requestId, approximateInvokeCount: 1 }, requestPayload: { ms: 600_000 }, responsePayload: { errorType: 'Baton.Cancelled', errorMessage: expect.stringContaining('cancelled by test') } });
    // Past both retry backoffs (1 and 2 minutes): no second run, nothing left in the async queue.
    await t.clock.advance(10 * 60_000);
    await new Promise<void>((r) => setTimeout(r, 100));
    expect((await t.backend.runs.list({ fn: 'stuck' })).map((r) => r.status)).toEqual(['cancelled']);
    const pending = await t.backend.queues.stats('baton-async');
    expect(pending.visible + pending.inFlight + pending.delayed).toBe(0);
  });

  it('retries a cancelled stream batch per its rules, then sends it to onFailure', async () => {
    t = makeLocalBackend();
    const spec = app('cancel-stream', [
      table('items', { partitionKey: 'id', stream: true }),
      queue('ddb-failures'),
      fn('stuck', './sleep.ts', { handler: 'spin', timeout: '5m', triggers: [{ table: 'items', batchSize: 10, maxRetryAttempts: 1, onFailure: { queue: 'ddb-failures' } }] }),
    ]);
    engine = await startEngine({ backend: t.backend, spec, executor });
    await t.backend.tables.put('items', { id: 'x', ms: 600_000 });
    const first = await running('stuck');
    expect((await cancel(first)).status).toBe('cancelled');
    // Retried after its backoff (1 s on the clock), as a failed batch is.
    const retried = await waitFor('the retried batch', async () => {
      if ((await t!.backend.runs.list({ fn: 'stuck', status: 'running' })).length === 0) await t!.clock.advance(250);
      return (await t!.backend.runs.list({ fn: 'stuck', status: 'running' })).find((r) => r.id !== first.id);
    });
    expect(retried.attempt).toBe(2);
    expect((await cancel(retried)).status).toBe('cancelled');
    const record = await waitFor('the failure record', async () => (await t!.backend.queues.receive('ddb-failures', { maxMessages: 1, countAttempt: false }))[0]);
    expect(JSON.parse(record.body)).toMatchObject({ requestContext: { condition: 'RetryAttemptsExhausted' } });
  });

  it('cancelRun refuses an ended run and cancels the job of a relay run', async () => {
    t = makeLocalBackend();
    const { runs, jobs } = t.backend;
    const ok = await runs.start({ fn: 'f', trigger: 'invoke' });
    await runs.finish(ok.id, { status: 'ok', durationMs: 1 });
    await expect(cancelRun(t.backend, ok.id, 'cli')).rejects.toBeInstanceOf(ConditionFailedError);
    const job = await jobs.create({ fn: 'long', input: {}, executor: 'function', budget: { maxRelays: 10, maxFailures: 3 } });
    const relay = await runs.start({ fn: 'long', trigger: `job:${job.id}`, attempt: 1 });
    const out = await cancelRun(t.backend, relay.id, 'cli');
    expect(out.run.cancelRequest).toEqual({ at: t.clock.now(), by: 'cli' });
    expect(out.job).toEqual({ id: job.id, status: 'cancelled' });
    expect((await jobs.get(job.id))?.status).toBe('cancelled');
  });
});
