/**
 * Async invoke on the aws backend (the event queue on SQS/fauxqs, runs on DynamoDB Local): the runs
 * of a failing event are numbered 1, 2, 3 and it runs 1 + retries times, as on local. drainAsync
 * receives with countAttempt: false; SQS counts that receive anyway, so the aws store reports
 * receiveCount - 1 there (the attempts before it, as the port says). Reporting receiveCount made the
 * first run attempt 2 and left one retry out.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { drainAsync, invokeAsync, type InvokeDeps } from '../../src/runtime/invoke/index.ts';
import { dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const skip = dynamoSkipReason();
const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const executor = createFunctionExecutor({ root });
afterAll(() => executor.close());

const spec = app('async-aws', [fn('throws', './throws.ts', { retries: 2 })]);

describe.skipIf(skip !== undefined)(`async invoke on aws (SQS on fauxqs, runs on DynamoDB Local)${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  let h: AwsHarness;
  let deps: InvokeDeps;
  beforeEach(() => {
    h = makeAwsBackend();
    deps = { backend: h.backend, executor, fns: spec.fns };
  });
  afterEach(async () => {
    await h.close();
  });

  it('numbers the runs of a failing event 1, 2, 3 and runs it 1 + retries times, as on local', async () => {
    const { requestId } = await invokeAsync(deps, 'throws', { kind: 'custom' });
    // No backoff (SQS keeps real time; the fake clock drives only Baton's timestamps).
    const drain = () => drainAsync(deps, { retryBaseMs: 0, waitMs: 2000 });
    expect(await drain()).toEqual({ received: 1, ok: 0, retried: 1, failed: 0 });
    expect(await drain()).toEqual({ received: 1, ok: 0, retried: 1, failed: 0 });
    expect(await drain()).toEqual({ received: 1, ok: 0, retried: 0, failed: 1 });
    const runs = await h.backend.runs.list({ fn: 'throws' });
    expect(runs.map((r) => [r.trigger, r.attempt, r.status, r.requestId]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      ['async', 1, 'error', requestId],
      ['async', 2, 'error', requestId],
      ['async', 3, 'error', requestId],
    ]);
  });
});
