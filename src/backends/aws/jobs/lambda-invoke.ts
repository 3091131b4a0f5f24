/**
 * A job's next relay on Lambda: an asynchronous invoke (InvocationType 'Event') of the job's own
 * function with { batonRelay: { job } }, which its Lambda entry (src/cdk/lambda/job-entry.ts)
 * turns into one relay. Lambda queues the event durably before the call returns and retries a
 * failed invocation twice, so a relay is never lost between two invocations; the job store's relay
 * fence makes a repeated one harmless.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { defaults } from '../../../core/defaults.ts';
import { StoreError } from '../../../core/errors.ts';
import type { Job, JobBudget, JobStore } from '../../../ports/jobs.ts';

export interface LambdaRelayEvent {
  batonRelay: { job: string };
}

export function isLambdaRelayEvent(event: unknown): event is LambdaRelayEvent {
  const r = (event as { batonRelay?: { job?: unknown } } | null)?.batonRelay;
  return typeof r === 'object' && r !== null && typeof r.job === 'string';
}

let shared: LambdaClient | undefined;

/** Queues the relay event for `functionName` (a name or ARN); resolves once Lambda has accepted it. */
export async function invokeRelay(functionName: string, job: string, client: LambdaClient = (shared ??= new LambdaClient({}))): Promise<void> {
  const event: LambdaRelayEvent = { batonRelay: { job } };
  const out = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  if (out.StatusCode !== 202) {
    throw new StoreError(`job "${job}": Lambda did not queue the next relay of ${functionName} (status ${out.StatusCode ?? 'none'}${out.FunctionError ? `, ${out.FunctionError}` : ''}).`, { action: `Resume it with \`baton jobs resume ${job}\`; its checkpoint is kept.` });
  }
}

/**
 * Starts a job on a deployed job handler: the job recorded as queued in the job store, then its
 * first relay queued as an async invoke of `functionName` (the deployed name, prefix included).
 */
export async function startLambdaJob(jobs: JobStore, functionName: string, fn: string, options: { id?: string; input?: unknown; budget?: Partial<JobBudget>; client?: LambdaClient } = {}): Promise<Job> {
  const job = await jobs.create({
    ...(options.id ? { id: options.id } : {}),
    fn,
    input: options.input,
    executor: 'function',
    budget: { maxRelays: options.budget?.maxRelays ?? defaults.jobs.maxRelays, maxFailures: options.budget?.maxFailures ?? defaults.jobs.retries },
  });
  await invokeRelay(functionName, job.id, options.client);
  return job;
}
