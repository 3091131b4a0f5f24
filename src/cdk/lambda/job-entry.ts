/**
 * The Lambda entry of a job handler (job(), a long task that relays). Locally the job runner
 * drives relays from outside the handler; on Lambda nothing runs between invocations, so each
 * invocation drives one relay itself:
 *   { batonRelay: { job } }  claim the job (the runner's drive: the driver lease, the relay fence),
 *                            run the handler in this process with the JobEvent, settle its reply
 *                            in Baton's DynamoDB job store, record the run; then, when the job is
 *                            queued again (continue, a timeout after a checkpoint, a retry):
 *                              due now                -> async invoke of this function (next relay)
 *                              due within the time    -> wait here, then the async invoke
 *                              this invocation has left
 *                              due later              -> left queued with its wake time; `baton
 *                                                        jobs resume <id>` (or any engine on the
 *                                                        aws backend) drives it from there
 *   anything else            the handler as written (a job handler refuses a plain event).
 * A relay is cut at the Lambda's remaining time minus `reserveMs` so it is settled before Lambda
 * kills the process; job() itself continues before that, at its marginMs.
 */
import type { Context } from 'aws-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { serializeError } from '../../core/errors.ts';
import { defaults } from '../../core/defaults.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Executor, Invocation, InvocationError, InvokeOptions } from '../../ports/executor.ts';
import type { Job } from '../../ports/jobs.ts';
import { JobRunner } from '../../runtime/jobs/runner.ts';
import { invokeRelay, isLambdaRelayEvent } from '../../backends/aws/jobs/lambda-invoke.ts';
import type { LambdaHandler } from './route.ts';

/** Time kept back from the Lambda's remaining time to settle a relay and queue the next. */
export const reserveMs = 1500;

export interface JobEntryDeps {
  /** The backend of the deployed app (connect()). */
  backend: () => Backend;
  /** The fn's name in baton.config.ts (BATON_FN). */
  fn: string;
  lambda?: LambdaClient;
}

function invocationError(err: unknown): InvocationError {
  const s = serializeError(err);
  return { ...s, errorType: err instanceof Error ? err.name : typeof err, errorMessage: s.message };
}

/** Runs the handler in this process, cut `reserveMs` before the Lambda's own end. */
class InProcessExecutor implements Executor {
  constructor(
    private readonly handler: LambdaHandler,
    private readonly context: Context,
  ) {}

  async invoke(_fn: FnConfig, event: unknown, options: InvokeOptions = {}): Promise<Invocation> {
    const requestId = options.requestId ?? randomUUID();
    const startedAt = Date.now();
    options.onStart?.({ requestId, startedAt });
    const budget = Math.max(0, this.context.getRemainingTimeInMillis() - reserveMs);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budget)));
    const end = (rest: Pick<Invocation, 'status'> & Partial<Invocation>): Invocation => ({ requestId, startedAt, durationMs: Date.now() - startedAt, queuedMs: 0, logs: [], ...rest });
    try {
      const outcome = await Promise.race([Promise.resolve(this.handler(event, this.context)).then((r) => ({ r })), timedOut]);
      if (outcome === 'timeout') return end({ status: 'timeout', error: { name: 'TimeoutError', code: 'TIMEOUT', message: `the relay ran past the Lambda's remaining time less ${reserveMs} ms`, errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out' } });
      return end({ status: 'ok', result: JSON.parse(JSON.stringify(outcome.r ?? null)) as unknown });
    } catch (err) {
      return end({ status: 'error', error: invocationError(err) });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {}
}

function fnConfig(name: string, context: Context): FnConfig {
  return { name, module: '', handler: 'handler', timeoutMs: context.getRemainingTimeInMillis(), concurrency: 1, memoryMb: Number(context.memoryLimitInMB) || defaults.fn.memoryMb, env: {}, executor: 'function', retries: 0, triggers: [] };
}

/** One relay of job `id` here, then the next one queued as the job's state says. Resolves to the job as left. */
export async function relayOnLambda(id: string, handler: LambdaHandler, context: Context, deps: JobEntryDeps): Promise<Job> {
  const backend = deps.backend();
  const stop = new AbortController();
  const runner = new JobRunner({ backend, executor: new InProcessExecutor(handler, context), fns: [fnConfig(deps.fn, context)], onRelay: () => stop.abort() });
  const job = (await runner.drive(id, { signal: stop.signal })) ?? (await backend.jobs.get(id));
  if (!job) throw new Error(`job "${id}" vanished while it was driven`);
  if (job.status !== 'queued') return job;
  const self = context.invokedFunctionArn || context.functionName;
  const wait = (job.wakeAt ?? 0) - backend.clock.now();
  if (wait > 0 && wait > context.getRemainingTimeInMillis() - reserveMs) {
    console.log(`job "${id}" waits until ${new Date(job.wakeAt!).toISOString()} (${job.waitingFor ?? 'queued'}), past this invocation's time: resume it then with \`baton jobs resume ${id}\`.`);
    return job;
  }
  if (wait > 0) await backend.clock.sleep(wait);
  await invokeRelay(self, id, deps.lambda);
  return job;
}

/** Wraps a job handler as its Lambda entry. */
export function jobEntry(handler: LambdaHandler, deps: JobEntryDeps): (event: unknown, context: Context) => Promise<unknown> {
  return async (event, context) => {
    if (!isLambdaRelayEvent(event)) return handler(event, context);
    const job = await relayOnLambda(event.batonRelay.job, handler, context, deps);
    return { job: job.id, status: job.status, relay: job.relay };
  };
}
