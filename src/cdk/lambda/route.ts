/**
 * The Lambda entry of a function with a container executor or a routing rule (seed 001): the
 * function's own Lambda decides per invocation, with the rule from baton.config.ts, where the
 * invocation runs. 'function' runs the handler here, within Lambda's time limit; 'container' starts
 * an ECS Fargate task of the same bundle (runContainerTask) and returns its ARN at once, as an
 * async invoke would: the task's logs and outcome are in CloudWatch Logs and ECS, not in this
 * invocation's result. A Step Functions map item asks the rule alone ({ batonRoute: item }) and
 * runs the item itself, waiting for the container task through a task token.
 */
import type { Context } from 'aws-lambda';
import { ValidationError } from '../../core/errors.ts';
import type { ExecutorKind, FnRoute } from '../../core/resources/fn.ts';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { containerTarget, runContainerTask } from './ecs.ts';

export type LambdaHandler = (event: unknown, context: Context) => unknown;

export interface RouteQuery {
  batonRoute: unknown;
}

export function isRouteQuery(event: unknown): event is RouteQuery {
  return typeof event === 'object' && event !== null && Object.keys(event).length === 1 && 'batonRoute' in event;
}

export interface RoutedResult {
  executor: 'container';
  taskArn: string;
  /** Present (empty) for an SQS or DynamoDB stream batch, so the mapping counts the batch as handled. */
  batchItemFailures?: [];
}

function isBatch(event: unknown): boolean {
  const records = (event as { Records?: Array<{ eventSource?: unknown }> } | null)?.Records;
  return Array.isArray(records) && records.some((r) => r?.eventSource === 'aws:sqs' || r?.eventSource === 'aws:dynamodb');
}

/** Applies the rule to one event; a rule that answers something else is a typed error. */
export function pickExecutor(fn: string, rule: FnRoute | ExecutorKind, event: unknown): ExecutorKind {
  const where = typeof rule === 'function' ? rule(event) : rule;
  if (where !== 'function' && where !== 'container') {
    throw new ValidationError(`fn "${fn}": its routing rule returned ${JSON.stringify(where)} for an event.`, { action: "Make route(event) return 'function' or 'container'." });
  }
  return where;
}

export function routedHandler(fn: string, handler: LambdaHandler, rule: FnRoute | ExecutorKind, options: { env?: NodeJS.ProcessEnv; client?: ECSClient } = {}): (event: unknown, context: Context) => Promise<unknown> {
  return async (event, context) => {
    if (isRouteQuery(event)) return { executor: pickExecutor(fn, rule, event.batonRoute) };
    if (pickExecutor(fn, rule, event) === 'function') return handler(event, context);
    const taskArn = await runContainerTask(fn, event, containerTarget(options.env ?? process.env, fn), options.client ? { client: options.client } : {});
    console.log(`fn "${fn}": this invocation runs on the container executor, ECS task ${taskArn}`);
    // A batch from an event source mapping is the task's now: none of its records goes back.
    const result: RoutedResult = { executor: 'container', taskArn, ...(isBatch(event) ? { batchItemFailures: [] } : {}) };
    return result;
  };
}
