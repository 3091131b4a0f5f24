/**
 * queue -> SQS queue: visibility timeout, retention, delivery delay, maximum message size, and a
 * redrive policy to its dead-letter queue after maxReceiveCount receives. Dead-letter queues are
 * made first, as the queues naming them need their ARNs.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueConfig } from '../core/resources/configs.ts';
import type { Built } from './built.ts';
import { longestConsumerTimeoutMs, topicFnQueues } from './checks.ts';
import { constructId } from './ids.ts';
import { seconds, showMs } from './units.ts';

const sqsMinMessageSize = 1024;

function visibilityMs(built: Built, q: QueueConfig): number {
  const needed = longestConsumerTimeoutMs(built.props.spec, q.name);
  if (needed <= q.visibilityTimeoutMs || !built.props.raiseVisibility) return q.visibilityTimeoutMs;
  built.note(`queue "${q.name}": visibility timeout raised from ${showMs(q.visibilityTimeoutMs)} to ${showMs(needed)}, the timeout of the function it triggers (raiseVisibility), as AWS requires.`);
  return needed;
}

function makeQueue(scope: Construct, built: Built, q: QueueConfig): void {
  if (q.maxMessageSize < sqsMinMessageSize) built.note(`queue "${q.name}": maximum message size ${q.maxMessageSize} B raised to SQS's minimum 1024 B; Baton's own size check still applies on send.`);
  const vis = visibilityMs(built, q);
  if (vis % 1000 || q.delayMs % 1000) built.note(`queue "${q.name}": durations rounded up to whole seconds for SQS.`);
  const dlq = q.deadLetter ? built.queue(q.deadLetter.queue) : undefined;
  const queue = new sqs.Queue(scope, constructId(q.name), {
    queueName: built.names.queue(q.name),
    visibilityTimeout: Duration.seconds(seconds(vis)),
    retentionPeriod: Duration.seconds(seconds(q.retentionMs)),
    deliveryDelay: Duration.seconds(seconds(q.delayMs)),
    maxMessageSizeBytes: Math.max(sqsMinMessageSize, q.maxMessageSize),
    ...(dlq && q.deadLetter ? { deadLetterQueue: { queue: dlq, maxReceiveCount: q.deadLetter.maxReceiveCount } } : {}),
  });
  built.queues.set(q.name, queue);
}

/** Makes every queue of the app (but the local inboxes of topics' function subscribers: SNS invokes those functions itself). */
export function makeQueues(scope: Construct, built: Built): void {
  const skip = topicFnQueues(built.props.spec);
  const queues = built.props.spec.queues.filter((q) => !skip.has(q.name));
  const all = new Map(queues.map((q) => [q.name, q]));
  const group = new Construct(scope, 'Queues');
  const made = new Set<string>();
  const make = (q: QueueConfig, path: string[]) => {
    if (made.has(q.name)) return;
    if (path.includes(q.name)) throw new Error(`queues ${[...path, q.name].join(' -> ')} are each other's dead-letter queues; SQS needs a queue without one at the end.`);
    const dlq = q.deadLetter ? all.get(q.deadLetter.queue) : undefined;
    if (dlq) make(dlq, [...path, q.name]);
    makeQueue(group, built, q);
    made.add(q.name);
  };
  for (const q of queues) make(q, []);
}
