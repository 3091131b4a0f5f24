/**
 * Relay jobs on Lambda: the Lambda entry of a job handler drives one relay per invocation against
 * the aws backend's job store (DynamoDB Local) and queues the next relay as an async invoke of its
 * own function. The Lambda client is mocked (aws-sdk-client-mock): there is no Lambda emulator, so
 * each queued invoke's payload is fed back to the entry as Lambda would deliver it.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../src/root/handler-side.ts';
import { StoreError } from '../../src/core/errors.ts';
import { job } from '../../src/runtime/jobs/index.ts';
import { jobEntry, reserveMs } from '../../src/cdk/lambda/job-entry.ts';
import { awsTestCredentials, dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const skip = dynamoSkipReason();
const lambdaMock = mockClient(LambdaClient);
const arn = 'arn:aws:lambda:us-east-1:000000000000:function:app-count';

function contextWith(remainingMs: number): Context {
  return { functionName: 'app-count', invokedFunctionArn: arn, memoryLimitInMB: '256', awsRequestId: 'r', getRemainingTimeInMillis: () => remainingMs } as Context;
}

/** The events the mocked Lambda was asked to queue, in order. */
function queued(): unknown[] {
  return lambdaMock.commandCalls(InvokeCommand).map((c) => {
    expect(c.args[0].input).toMatchObject({ FunctionName: arn, InvocationType: 'Event' });
    return JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)) as unknown;
  });
}

describe.skipIf(skip)(`a job handler's Lambda entry on the aws backend (DynamoDB Local, Lambda mocked)${skip ? `: skipped, ${skip}` : ''}`, () => {
  let h: AwsHarness;
  const saved = { ...process.env };
  const lambda = new LambdaClient({ region: 'us-east-1' });
  // Counts to 3, one relay per step: continue() ends each relay with its checkpoint.
  let failOnce = false;
  const count = job<unknown, number>(async (last, ctx) => {
    if (failOnce) {
      failOnce = false;
      throw new Error('flaky upstream');
    }
    const n = (last ?? 0) + 1;
    if (n < 3) await ctx.continue(n);
    return { counted: n };
  });

  beforeAll(() => {
    h = makeAwsBackend();
    // The relay's handler side opens the store from the job's connection, with credentials from the environment as on Lambda.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: awsTestCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: awsTestCredentials.secretAccessKey, BATON_BACKEND: 'aws' });
  });
  afterAll(async () => {
    process.env = saved;
    await h?.close();
  });
  afterEach(() => lambdaMock.reset());

  const entry = () => jobEntry(count, { backend: () => h.backend, fn: 'count', lambda });

  it('each invocation runs one relay and queues the next as an async invoke of itself, until the job succeeds', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const created = await h.backend.jobs.create({ fn: 'count', executor: 'function', budget: { maxRelays: 10, maxFailures: 2 } });
    let event: unknown = { batonRelay: { job: created.id } };
    const replies: unknown[] = [];
    for (let i = 0; i < 5 && event; i++) {
      replies.push(await entry()(event, contextWith(60_000)));
      event = queued()[i];
    }
    expect(replies).toEqual([
      { job: created.id, status: 'queued', relay: 1 },
      { job: created.id, status: 'queued', relay: 2 },
      { job: created.id, status: 'succeeded', relay: 3 },
    ]);
    expect(queued()).toEqual([{ batonRelay: { job: created.id } }, { batonRelay: { job: created.id } }]);
    expect(await h.backend.jobs.get(created.id)).toMatchObject({ status: 'succeeded', result: { counted: 3 }, checkpoint: 2 });
    const runs = await h.backend.runs.list({ fn: 'count' });
    expect(runs.filter((r) => r.trigger === `job:${created.id}`)).toHaveLength(3);
  });

  it('a failed relay waits for its retry: within the time left it waits here, past it the job stays queued', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const created = await h.backend.jobs.create({ fn: 'count', executor: 'function', budget: { maxRelays: 10, maxFailures: 2 } });
    failOnce = true;
    // 1 s of backoff does not fit in (reserveMs + 500 ms) - reserveMs: no invoke, the job waits queued for `baton jobs resume`.
    expect(await entry()({ batonRelay: { job: created.id } }, contextWith(reserveMs + 500))).toEqual({ job: created.id, status: 'queued', relay: 1 });
    expect(queued()).toEqual([]);
    expect(await h.backend.jobs.get(created.id)).toMatchObject({ status: 'queued', waitingFor: 'retry', failures: 1 });
    // Once due, a relay event picks it up from where it was.
    await h.clock.advance(1000);
    expect(await entry()({ batonRelay: { job: created.id } }, contextWith(60_000))).toEqual({ job: created.id, status: 'queued', relay: 2 });
    expect(queued()).toHaveLength(1);
  });

  it('a plain event goes to the handler as written; Lambda refusing the next relay is a typed error', async () => {
    await expect(entry()({ Records: [] }, contextWith(60_000))).rejects.toThrow(/is a job handler but was invoked with an event that is not a job relay/);
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 500, FunctionError: 'Unhandled' });
    const created = await h.backend.jobs.create({ fn: 'count', executor: 'function', budget: { maxRelays: 10, maxFailures: 2 } });
    await expect(entry()({ batonRelay: { job: created.id } }, contextWith(60_000))).rejects.toThrow(StoreError);
    expect(await h.backend.jobs.get(created.id)).toMatchObject({ status: 'queued', checkpoint: 1 });
  });
});
