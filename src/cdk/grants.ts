/**
 * Least privilege: each function may reach what its own triggers and destinations name (the event
 * sources and destinations grant those as they are made) and, here, what its definition names in
 * `uses`, each grant scoped to that resource's ARN, plus Baton's own state tables (its job store,
 * runs, map ledger, stream positions); a function's container task role gets the same grants. The
 * one action with no resource to scope to is sns:ListTopics, which the aws backend needs to find a topic it publishes to by name.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { FnConfig } from '../core/resources/fn.ts';
import type { Built } from './built.ts';
import { grantPut } from './firehose.ts';

const paramActions = ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:DeleteParameter'];
const queueLookup = ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags'];

function grantQueue(built: Built, fn: iam.IGrantable, name: string): void {
  const queue = built.queue(name);
  queue.grantSendMessages(fn);
  queue.grantConsumeMessages(fn);
  queue.grant(fn, 'sqs:ListQueueTags');
  // Redrive moves messages back from the dead-letter queue.
  const dlq = built.props.spec.queues.find((q) => q.name === name)?.deadLetter?.queue;
  if (dlq && built.queues.has(dlq)) {
    built.queue(dlq).grantConsumeMessages(fn);
    built.queue(dlq).grant(fn, 'sqs:ListQueueTags');
  }
}

function grantTopic(built: Built, fn: iam.IGrantable, name: string): void {
  const topic = built.topic(name);
  topic.grantPublish(fn);
  fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:GetTopicAttributes', 'sns:ListTagsForResource', 'sns:ListSubscriptionsByTopic'], resources: [topic.topicArn] }));
  fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:ListTopics'], resources: ['*'] }));
  // Before Publish the aws backend checks the message fits each subscribed queue.
  for (const s of built.props.spec.topics.find((t) => t.name === name)?.subscribers ?? []) {
    if (s.kind === 'queue' && s.fn === undefined) built.queue(s.queue).grant(fn, ...queueLookup);
  }
}

function grantParams(built: Built, fn: iam.IGrantable, path: string, stack: Stack): void {
  const arn = (p: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: p.replace(/^\//, '') });
  fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: paramActions, resources: [arn(path), arn(`${path}/*`)] }));
}

function grantUses(built: Built, f: FnConfig, fn: iam.IGrantable): void {
  for (const u of f.uses ?? []) {
    switch (u.kind) {
      case 'bucket':
        built.bucket(u.name).grantReadWrite(fn);
        break;
      case 'queue':
        grantQueue(built, fn, u.name);
        break;
      case 'table':
        built.table(u.name).grantReadWriteData(fn);
        break;
      case 'topic':
        grantTopic(built, fn, u.name);
        break;
      case 'params':
        grantParams(built, fn, u.name, Stack.of(built.fn(f.name)));
        break;
      case 'fn':
        built.fn(u.name).grantInvoke(fn);
        break;
      case 'firehose':
        grantPut(fn, built.firehoses.get(u.name)!);
        break;
    }
  }
}

export function grantFns(built: Built): void {
  for (const f of built.props.spec.fns) {
    // The function's Lambda and, when it has one, its container task: the same handler, the same reach.
    const task = built.tasks.get(f.name);
    for (const grantee of [built.fn(f.name), ...(task ? [task.taskRole] : [])]) {
      grantUses(built, f, grantee);
      for (const table of built.state.values()) table.grantReadWriteData(grantee);
    }
  }
}
