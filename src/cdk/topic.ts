/**
 * topic -> SNS topic named prefix + name, with its queue subscribers (SNS's JSON envelope, raw
 * delivery off, as the aws backend subscribes them, with the queue policy letting the topic send)
 * and webhook subscribers (SNS HTTP/HTTPS subscriptions: the endpoint must confirm the
 * subscription; attempts and backoff become the delivery policy). Function subscribers are wired
 * with the triggers (triggers.ts). A file subscriber has no AWS counterpart: checks.ts refuses it
 * unless fileSubscribers is 'omit'.
 */
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { Subscriber } from '../core/resources/configs.ts';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';

type Webhook = Extract<Subscriber, { kind: 'webhook' }>;

function webhook(built: Built, topic: string, s: Webhook): subs.UrlSubscription {
  const protocol = s.url.startsWith('https:') ? sns.SubscriptionProtocol.HTTPS : sns.SubscriptionProtocol.HTTP;
  if (s.timeoutMs !== undefined) built.note(`topic "${topic}": webhook ${s.url}: SNS sets its own request timeout; the subscriber's timeout is not deployed.`);
  const retries = s.attempts !== undefined ? s.attempts - 1 : undefined;
  const delay = s.backoffMs !== undefined ? Math.max(1, Math.round(s.backoffMs / 1000)) : undefined;
  const policy: sns.DeliveryPolicy | undefined =
    retries !== undefined || delay !== undefined
      ? { healthyRetryPolicy: { ...(retries !== undefined ? { numRetries: retries } : {}), ...(delay !== undefined ? { minDelayTarget: Duration.seconds(delay), maxDelayTarget: Duration.seconds(Math.max(delay, 20)), backoffFunction: sns.BackoffFunction.EXPONENTIAL } : {}) } }
      : undefined;
  built.note(`topic "${topic}": webhook ${s.url} receives SNS's SubscriptionConfirmation first and must visit its SubscribeURL before messages arrive.`);
  return new subs.UrlSubscription(s.url, { protocol, ...(policy ? { deliveryPolicy: policy } : {}) });
}

export function makeTopics(scope: Construct, built: Built): void {
  const group = new Construct(scope, 'Topics');
  for (const t of built.props.spec.topics) {
    const topic = new sns.Topic(group, constructId(t.name), { topicName: built.names.topic(t.name) });
    built.topics.set(t.name, topic);
    for (const s of t.subscribers) {
      if (s.kind === 'queue' && s.fn === undefined) topic.addSubscription(new subs.SqsSubscription(built.queue(s.queue), { rawMessageDelivery: false }));
      else if (s.kind === 'webhook') topic.addSubscription(webhook(built, t.name, s));
      else if (s.kind === 'file') built.note(`topic "${t.name}": file subscriber "${s.path}" omitted (fileSubscribers: 'omit'); nothing on AWS receives what it would have written.`);
    }
  }
}
