/**
 * A function's triggers as Lambda event source mappings, each granting the function what reading
 * its source takes:
 *   queue  -> SQS mapping: batch size, batching window, maximum concurrency, ReportBatchItemFailures
 *   stream -> DynamoDB stream mapping from TRIM_HORIZON (no record is skipped): batch size, filter
 *             criteria on eventName, bisect on error, retries, parallelization factor, on-failure
 *             destination (SQS or SNS), ReportBatchItemFailures
 * and a topic's function subscribers as SNS subscriptions (SNS invokes the function asynchronously,
 * so the function's retries and on-failure destination apply).
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type { FnConfig, QueueTriggerConfig, StreamTriggerConfig } from '../core/resources/fn.ts';
import type { Built } from './built.ts';
import { seconds, showMs } from './units.ts';

/** SQS mappings take MaximumConcurrency from 2; reserved concurrency bounds it anyway. */
const sqsMinMaxConcurrency = 2;

function queueSource(built: Built, f: FnConfig, t: QueueTriggerConfig): sources.SqsEventSource {
  const cap = Math.min(t.maxConcurrency, f.concurrency);
  if (cap < sqsMinMaxConcurrency) built.note(`fn "${f.name}": its trigger on queue "${t.queue}" runs at most ${cap} at once through the function's reserved concurrency (${f.concurrency}); SQS mappings take a maximum concurrency of 2 or more.`);
  if (t.batchingWindowMs % 1000) built.note(`fn "${f.name}": batching window ${showMs(t.batchingWindowMs)} rounded up to whole seconds.`);
  return new sources.SqsEventSource(built.queue(t.queue), {
    batchSize: t.batchSize,
    ...(t.batchingWindowMs > 0 ? { maxBatchingWindow: Duration.seconds(seconds(t.batchingWindowMs)) } : {}),
    ...(cap >= sqsMinMaxConcurrency ? { maxConcurrency: cap } : {}),
    reportBatchItemFailures: t.reportBatchItemFailures,
  });
}

function failureDestination(built: Built, t: StreamTriggerConfig): lambda.IEventSourceDlq | undefined {
  if (!t.onFailure) return undefined;
  return 'queue' in t.onFailure ? new sources.SqsDlq(built.queue(t.onFailure.queue)) : new sources.SnsDlq(built.topic(t.onFailure.topic));
}

function streamSource(built: Built, t: StreamTriggerConfig): sources.DynamoEventSource {
  const onFailure = failureDestination(built, t);
  return new sources.DynamoEventSource(built.table(t.table), {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: t.batchSize,
    parallelizationFactor: t.parallelizationFactor,
    bisectBatchOnError: t.bisectOnError,
    retryAttempts: t.maxRetryAttempts,
    reportBatchItemFailures: t.reportBatchItemFailures,
    ...(onFailure ? { onFailure } : {}),
    ...(t.eventNames ? { filters: [lambda.FilterCriteria.filter({ eventName: [...t.eventNames] })] } : {}),
  });
}

export function wireTriggers(built: Built): void {
  for (const f of built.props.spec.fns) {
    const fn = built.fn(f.name);
    for (const t of f.triggers) fn.addEventSource(t.kind === 'queue' ? queueSource(built, f, t) : streamSource(built, t));
  }
  for (const topic of built.props.spec.topics) {
    for (const s of topic.subscribers) {
      if (s.kind === 'queue' && s.fn !== undefined) built.topic(topic.name).addSubscription(new subs.LambdaSubscription(built.fn(s.fn)));
    }
  }
}
