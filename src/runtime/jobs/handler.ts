/**
 * job(): turns a job function into an AWS Lambda handler. Each invocation is one relay: the
 * handler gets the last checkpoint and a JobContext, and its outcome becomes a JobReply the runner
 * understands (done, continue, suspend until a wake time, or failed without retry). Any other
 * throw is an ordinary invocation error, retried by the runner within the job's budget.
 *
 *   export const handler = job(async (last: number | undefined, ctx) => {
 *     await ctx.each(items, async (item) => sink(item), { marginMs: 500 });
 *     return { done: true };
 *   });
 */
import type { Context } from 'aws-lambda';
import { serializeError, ValidationError } from '../../core/errors.ts';
import { connectJobs, warmJobs } from './connect.ts';
import { RelayContext, type JobContext } from './context.ts';
import { isJobEvent, type JobReply } from './envelope.ts';
import { ContinueSignal, SuspendSignal, isNonRetriable } from './errors.ts';
import { StepJournal } from './steps.ts';

export type JobFunction<I, C, R> = (last: C | undefined, ctx: JobContext<I, C>) => R | Promise<R>;

export function job<I = unknown, C = unknown, R = unknown>(fn: JobFunction<I, C, R>): (event: unknown, context: Context) => Promise<JobReply> {
  warmJobs();
  return async (event, lambda) => {
    if (!isJobEvent(event)) {
      throw new ValidationError(`fn "${lambda.functionName}" is a job handler but was invoked with an event that is not a job relay.`, { action: 'Start it as a job (startJob / runJob, or `baton jobs start`), not with a plain invoke.' });
    }
    const env = event.batonJob;
    const conn = await connectJobs(env.connection);
    const ctx = new RelayContext<I, C>(env, conn, lambda, new StepJournal(env, conn, await conn.store.steps(env.id)));
    try {
      const result = await fn(env.checkpoint as C | undefined, ctx);
      if (ctx.continued) return { batonJob: 'continue' };
      return { batonJob: 'done', result: result ?? null };
    } catch (err) {
      if (err instanceof ContinueSignal || ctx.continued) return { batonJob: 'continue' };
      if (err instanceof SuspendSignal) return { batonJob: 'suspend', wakeAt: err.wakeAt, waitingFor: err.waitingFor };
      if (isNonRetriable(err)) return { batonJob: 'failed', error: serializeError(err) };
      throw err;
    }
  };
}
