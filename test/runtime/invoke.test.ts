import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';
import { app } from '../../src/core/app.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { topic } from '../../src/core/resources/topic.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { drainAsync, invokeAsync, invokeSync, type FailureRecord, type InvokeDeps } from '../../src/runtime/invoke/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const executor = createFunctionExecutor({ root });
afterAll(() => executor.close());

const spec = app('invoke-test', [
  queue('failures'),
  queue('alerts-inbox'),
  topic('alerts', { subscribers: [{ queue: 'alerts-inbox' }] }),
  fn('echo', './echo.ts'),
  fn('throws', './throws.ts', { onFailure: { queue: 'failures' } }),
  fn('slow', './sleep.ts', { timeout: 300, retries: 1, onFailure: { topic: 'alerts' } }),
  fn('quiet', './throws.ts', { retries: 0 }),
  fn('long', './sleep.ts', { timeout: 10_000 }),
]);

let t: TestBackend;
let deps: InvokeDeps;
beforeEach(async () => {
  t = makeLocalBackend();
  await provision(t.backend, spec);
  deps = { backend: t.backend, executor, fns: spec.fns };
});
afterEach(() => t.close());

describe('invokeSync records every invocation as a run', () => {
  it('records a successful run with its input, duration and logs', async () => {
    const inv = await invokeSync(deps, 'echo', { order: 1 });
    expect(inv).toMatchObject({ status: 'ok', result: { event: { order: 1 }, fn: 'echo' } });
    const [run] = await t.backend.runs.list();
    expect(run).toMatchObject({ id: inv.runId, fn: 'echo', trigger: 'invoke', attempt: 1, status: 'ok', requestId: inv.requestId, input: '{"order":1}', startedAt: t.clock.now() });
    expect(run?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records an error with its type, message, stack, trigger, attempt, record ids and logs', async () => {
    const inv = await invokeSync(deps, 'throws', { kind: 'custom' }, { trigger: 'queue:orders', attempt: 3, recordIds: ['m-1', 'm-2'] });
    expect(inv.status).toBe('error');
    const run = await t.backend.runs.get(inv.runId);
    expect(run).toMatchObject({ status: 'error', trigger: 'queue:orders', attempt: 3, recordIds: ['m-1', 'm-2'], error: { type: 'OrderError', message: 'order 42 is invalid' } });
    expect(run?.error?.stack).toContain('OrderError');
    const logs = await t.backend.runs.logs(inv.runId);
    expect(logs.some((l) => l.level === 'error' && l.message.startsWith('Invoke Error'))).toBe(true);
  });

  it('records a timeout with Lambda\'s message', async () => {
    const inv = await invokeSync(deps, 'slow', { ms: 5000 });
    expect(inv.status).toBe('timeout');
    expect(await t.backend.runs.get(inv.runId)).toMatchObject({ status: 'timeout', error: { type: 'Sandbox.Timedout', message: 'Task timed out after 0.30 seconds' } });
    expect((await t.backend.runs.list({ status: 'timeout' })).map((r) => r.id)).toEqual([inv.runId]);
  });

  it('names the declared functions when asked for an unknown one', async () => {
    await expect(invokeSync(deps, 'nope', {})).rejects.toThrow(NotFoundError);
    await expect(invokeSync(deps, 'nope', {})).rejects.toThrow(/Function "nope" is not declared in this app \(declared: echo, throws, slow, quiet, long\)/);
  });

  it('writes a short run once, its start and finish together (no separate start write)', async () => {
    const start = vi.spyOn(t.backend.runs, 'start');
    const record = vi.spyOn(t.backend.runs, 'record');
    const inv = await invokeSync(deps, 'echo', { order: 2 }, { recordIds: ['m-9'], startWriteDelayMs: 1000 });
    expect(start).not.toHaveBeenCalled();
    expect(record).toHaveBeenCalledTimes(1);
    expect(await t.backend.runs.get(inv.runId)).toMatchObject({ status: 'ok', recordIds: ['m-9'], input: '{"order":2}', startedAt: t.clock.now() });
  });

  it('shows a run in progress as running once it has lasted startWriteDelayMs, then finishes it', async () => {
    let runId: string | undefined;
    const pending = invokeSync({ ...deps, observer: { started: (r) => void (runId = r.runId) } }, 'long', { ms: 1500 }, { startWriteDelayMs: 1000 });
    await vi.waitFor(() => expect(runId).toBeDefined(), { timeout: 5000 });
    expect(await t.backend.runs.get(runId!)).toBeUndefined();
    const startedAt = t.clock.now();
    await t.clock.advance(1000);
    expect(await t.backend.runs.get(runId!)).toMatchObject({ status: 'running', startedAt });
    const inv = await pending;
    expect(inv.runId).toBe(runId);
    expect(await t.backend.runs.get(runId!)).toMatchObject({ status: 'ok', startedAt });
    expect(await t.backend.runs.list({ fn: 'long' })).toHaveLength(1);
  });
});

describe('invokeAsync: Lambda\'s retries and on-failure destination', () => {
  it('runs a queued event once when it succeeds', async () => {
    const { requestId } = await invokeAsync(deps, 'echo', { a: 1 });
    expect(await drainAsync(deps)).toEqual({ received: 1, ok: 1, retried: 0, failed: 0 });
    const [run] = await t.backend.runs.list();
    expect(run).toMatchObject({ fn: 'echo', trigger: 'async', attempt: 1, status: 'ok', requestId });
    expect(await drainAsync(deps)).toMatchObject({ received: 0 });
  });

  it('retries twice with 1 and 2 minute backoffs, then sends the destination record to the queue', async () => {
    const event = { kind: 'custom', order: 42 };
    const { requestId } = await invokeAsync(deps, 'throws', event);
    expect(await drainAsync(deps)).toEqual({ received: 1, ok: 0, retried: 1, failed: 0 });
    expect(await drainAsync(deps)).toMatchObject({ received: 0 });
    await t.clock.advance(59_999);
    expect(await drainAsync(deps)).toMatchObject({ received: 0 });
    await t.clock.advance(1);
    expect(await drainAsync(deps)).toEqual({ received: 1, ok: 0, retried: 1, failed: 0 });
    await t.clock.advance(60_000);
    expect(await drainAsync(deps)).toMatchObject({ received: 0 });
    await t.clock.advance(60_000);
    expect(await drainAsync(deps)).toEqual({ received: 1, ok: 0, retried: 0, failed: 1 });

    const runs = await t.backend.runs.list({ fn: 'throws' });
    expect(runs.map((r) => [r.trigger, r.attempt, r.status, r.requestId])).toEqual([
      ['async', 3, 'error', requestId],
      ['async', 2, 'error', requestId],
      ['async', 1, 'error', requestId],
    ]);

    const [msg] = await t.backend.queues.receive('failures');
    const record = JSON.parse(msg!.body) as FailureRecord;
    expect(record).toEqual({
      version: '1.0',
      timestamp: new Date(t.clock.now()).toISOString(),
      requestContext: { requestId, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:throws:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'OrderError', errorMessage: 'order 42 is invalid', trace: expect.arrayContaining([expect.stringContaining('OrderError: order 42 is invalid')]) as unknown },
    });
    expect((await t.backend.queues.stats('baton-async')).visible + (await t.backend.queues.stats('baton-async')).delayed).toBe(0);
  });

  it('publishes the record of a timed-out event to a topic destination after its one retry', async () => {
    const { requestId } = await invokeAsync(deps, 'slow', { ms: 5000 });
    expect(await drainAsync(deps)).toMatchObject({ retried: 1 });
    await t.clock.advance(60_000);
    expect(await drainAsync(deps)).toMatchObject({ failed: 1 });
    const [msg] = await t.backend.queues.receive('alerts-inbox');
    const notification = JSON.parse(msg!.body) as { Message: string; Subject?: string };
    const record = JSON.parse(notification.Message) as FailureRecord;
    expect(record.requestContext).toMatchObject({ requestId, condition: 'RetriesExhausted', approximateInvokeCount: 2 });
    expect(record.responsePayload).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.30 seconds' });
  });

  it('drops the event after its attempts when there is no destination (retries: 0 means one attempt)', async () => {
    await invokeAsync(deps, 'quiet', { kind: 'type' });
    expect(await drainAsync(deps)).toEqual({ received: 1, ok: 0, retried: 0, failed: 1 });
    await t.clock.advance(10 * 60_000);
    expect(await drainAsync(deps)).toMatchObject({ received: 0 });
    expect(await t.backend.runs.list({ fn: 'quiet' })).toHaveLength(1);
  });

  it('keeps the event when the destination cannot take it, and sends it later without running again', async () => {
    const fns = spec.fns.map((f) => (f.name === 'quiet' ? { ...f, onFailure: { queue: 'later' } } : f));
    const d = { ...deps, fns };
    await invokeAsync(d, 'quiet', { kind: 'type' });
    await expect(drainAsync(d)).rejects.toThrow(/1 of 1 async events could not be settled/);
    await t.backend.queues.declare({ name: 'later', visibilityTimeoutMs: 30_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 262_144 });
    await t.clock.advance(60_000);
    expect(await drainAsync(d)).toEqual({ received: 1, ok: 0, retried: 0, failed: 1 });
    expect(await t.backend.runs.list({ fn: 'quiet' })).toHaveLength(1);
    const [msg] = await t.backend.queues.receive('later');
    expect((JSON.parse(msg!.body) as FailureRecord).responsePayload).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad type' });
  });
});
