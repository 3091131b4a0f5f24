/**
 * Letting an AWS service (S3 for bucket notifications, SNS for topic subscriptions) send to a
 * queue: one statement per source in the queue's access policy, keyed by Sid, merged into what is
 * there so several buckets and topics can feed one queue. Emulators accept and ignore it; real
 * SQS drops the service's messages without it.
 */
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';

interface Statement {
  Sid: string;
  [k: string]: unknown;
}

export async function allowToSend(ctx: AwsContext, queue: { name: string; url: string; arn: string }, service: 's3.amazonaws.com' | 'sns.amazonaws.com', sourceArn: string): Promise<void> {
  const { sqs } = ctx.clients;
  const at = ctx.at('sqs', 'declare', `queue "${queue.name}"`);
  const sid = `baton-${service.split('.')[0]}-${sourceArn.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 100);
  const current = await call(at, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['Policy'] })));
  const policy = current.Attributes?.Policy ? (JSON.parse(current.Attributes.Policy) as { Version?: string; Statement?: Statement[] }) : {};
  const statements = (policy.Statement ?? []).filter((s) => s.Sid !== sid);
  const mine: Statement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sqs:SendMessage',
    Resource: queue.arn,
    Condition: { ArnEquals: { 'aws:SourceArn': sourceArn } },
  };
  const existing = (policy.Statement ?? []).find((s) => s.Sid === sid);
  if (existing && JSON.stringify(existing) === JSON.stringify(mine)) return; // already there: change nothing
  const next = JSON.stringify({ Version: '2012-10-17', Statement: [...statements, mine] });
  await call(at, () => sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: next } })));
}
