/**
 * Makes a topic's SQS subscriptions match its config: one `sqs` subscription per queue (a queue
 * subscriber's own queue, or the inbox of a file or webhook subscriber), each queue's policy
 * letting the topic send (queues/policy.ts). Subscriptions already there are kept (so declaring
 * twice subscribes nothing twice); `sqs` subscriptions to the app's queues the config no longer
 * names are removed; subscriptions of other protocols or to other queues, made outside Baton, are
 * left alone.
 *
 * Raw message delivery stays off: SNS wraps each message in its notification JSON (Type,
 * MessageId, TopicArn, Subject, Message, Timestamp, MessageAttributes, and its signature fields),
 * the body a local queue subscriber receives, and what runtime/triggers/events/sns.ts reads.
 */
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { physicalNameOf } from '../queues/directory.ts';
import { allowToSend } from '../queues/policy.ts';
import { subscriptionsOf } from './directory.ts';

export interface Endpoint {
  /** The app-level queue name. */
  name: string;
  url: string;
  arn: string;
}

export async function reconcile(ctx: AwsContext, topic: string, topicArn: string, wanted: readonly Endpoint[]): Promise<void> {
  const at = ctx.at('sns', 'declare', `topic "${topic}"`);
  for (const q of wanted) await allowToSend(ctx, q, 'sns.amazonaws.com', topicArn);
  const existing = (await subscriptionsOf(ctx, topic, topicArn, 'declare')).filter((s) => s.Protocol === 'sqs');
  const have = new Set(existing.map((s) => s.Endpoint));
  for (const q of wanted) {
    if (have.has(q.arn)) continue;
    await call(at, () => ctx.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: q.arn, ReturnSubscriptionArn: true })));
    have.add(q.arn);
  }
  const keep = new Set(wanted.map((q) => q.arn));
  for (const s of existing) {
    if (!s.Endpoint || keep.has(s.Endpoint) || !s.SubscriptionArn || s.SubscriptionArn === 'PendingConfirmation') continue;
    if (ctx.names.strip(physicalNameOf(s.Endpoint)) === undefined) continue; // not the app's queue
    await call(at, () => ctx.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn })));
  }
}
