/**
 * The container executor's entry on ECS Fargate: the task's one invocation. It reads the event
 * BatonApp's Lambda entry (or a Step Functions map item) put in BATON_EVENT, runs the same handler
 * the Lambda runs with a Lambda-shaped context whose remaining time is practically unlimited (as the
 * local container executor gives it), and ends: exit code 0 when the handler returned, 1 when it
 * threw. A map item's task token (BATON_TASK_TOKEN) gets the handler's result or error, so the
 * map's ledger on AWS (Step Functions) sees the item succeed or fail as the local ledger would.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { ValidationError } from '../../core/errors.ts';
import { entryEnv } from './env.ts';
import type { LambdaHandler } from './route.ts';

/** The longest delay setTimeout accepts: the container executor's "no time limit". */
const unlimitedMs = 2 ** 31 - 1;
/** Step Functions takes an error name up to 256 characters and a cause up to 32768. */
const sfnErrorMax = 256;
const sfnCauseMax = 32_768;

export interface ContainerRunOptions {
  env?: NodeJS.ProcessEnv;
  sfn?: SFNClient;
}

function contextFor(fn: string, memoryMb: number): Context {
  const started = Date.now();
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: '',
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: '',
    logStreamName: `container/${fn}/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, unlimitedMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readEvent(env: NodeJS.ProcessEnv, fn: string): unknown {
  const raw = env[entryEnv.event];
  if (raw === undefined) throw new ValidationError(`fn "${fn}": the container task has no ${entryEnv.event} to run.`, { action: "Start it through the function's Lambda (its routing rule) or its map, which set the event." });
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new ValidationError(`fn "${fn}": ${entryEnv.event} is not JSON (${(err as Error).message}).`, { action: 'Pass the event as JSON.', cause: err });
  }
}

/** Runs the task's one invocation; resolves to the process's exit code. */
export async function runContainerInvocation(fn: string, handler: LambdaHandler, memoryMb: number, options: ContainerRunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  env[entryEnv.executor] = 'container';
  const token = env[entryEnv.taskToken];
  const sfn = () => options.sfn ?? new SFNClient({});
  let result: unknown;
  try {
    result = await handler(readEvent(env, fn), contextFor(fn, memoryMb));
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    console.error(`fn "${fn}" failed in its container task: ${e.stack ?? e.message}`);
    if (token) await sfn().send(new SendTaskFailureCommand({ taskToken: token, error: e.name.slice(0, sfnErrorMax), cause: e.message.slice(0, sfnCauseMax) }));
    return 1;
  }
  const output = JSON.stringify(result ?? null);
  if (token) await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output }));
  else console.log(`fn "${fn}" returned: ${output.length > 1000 ? `${output.slice(0, 1000)}…[truncated ${output.length - 1000} bytes]` : output}`);
  return 0;
}
