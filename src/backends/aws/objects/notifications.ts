/**
 * A bucket's notification rules as S3 notification configuration. A rule with a queue becomes a
 * QueueConfiguration to that queue (with the queue policy that lets S3 send). A rule with any
 * other target (a function) cannot reach this machine from S3, so it goes to Baton's internal
 * queue `baton-events`, which pendingEvents reads; the target rides in the configuration's Id
 * (`<rule id>@baton:<target>`) and is taken out again there, so records keep the rule's id.
 *
 * fauxqs answers PutBucketNotificationConfiguration as a CreateBucket and ignores it (it delivers
 * no S3 notifications); real S3 needs the call, so it is always made. Real S3 refuses two rules
 * with overlapping filters for the same event type (local allows them).
 */
import { PutBucketNotificationConfigurationCommand, type QueueConfiguration } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { BucketConfig } from '../../../ports/objects.ts';
import { ruleId } from '../../shared/objects/buckets.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { internalPrefix, queueDirectory } from '../queues/directory.ts';
import { allowToSend } from '../queues/policy.ts';

export const eventsQueue = `${internalPrefix}events`;
const marker = '@baton:';

export function encodeId(id: string, target: string): string {
  return `${id}${marker}${target}`;
}

/** The rule id and target in a configuration Id written by encodeId, or undefined. */
export function decodeId(configurationId: string): { id: string; target: string } | undefined {
  const at = configurationId.indexOf(marker);
  return at < 0 ? undefined : { id: configurationId.slice(0, at), target: configurationId.slice(at + marker.length) };
}

/** Creates (idempotently) the internal events queue; returns its URL and ARN. */
export async function ensureEventsQueue(ctx: AwsContext): Promise<{ name: string; url: string; arn: string }> {
  const { sqs } = ctx.clients;
  const at = ctx.at('sqs', 'declare', `queue "${eventsQueue}"`);
  const out = await call(at, () => sqs.send(new CreateQueueCommand({ QueueName: ctx.names.queue(eventsQueue), Attributes: { MessageRetentionPeriod: String(14 * 86_400) } })));
  const attrs = await call(at, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: out.QueueUrl!, AttributeNames: ['QueueArn'] })));
  return { name: eventsQueue, url: out.QueueUrl!, arn: attrs.Attributes?.QueueArn ?? '' };
}

export async function putNotifications(ctx: AwsContext, config: BucketConfig): Promise<void> {
  const bucket = ctx.names.bucket(config.name);
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const dir = queueDirectory(ctx);
  const configurations: QueueConfiguration[] = [];
  let events: { name: string; url: string; arn: string } | undefined;
  for (const [i, rule] of config.notifications.entries()) {
    let arn: string;
    if (rule.queue !== undefined) {
      const entry = await dir.entry(rule.queue, 'declare');
      await allowToSend(ctx, { name: rule.queue, url: entry.url, arn: entry.arn }, 's3.amazonaws.com', bucketArn);
      arn = entry.arn;
    } else {
      if (!events) {
        events = await ensureEventsQueue(ctx);
        await allowToSend(ctx, events, 's3.amazonaws.com', bucketArn);
      }
      arn = events.arn;
    }
    const rules = [...(rule.prefix !== undefined ? [{ Name: 'prefix' as const, Value: rule.prefix }] : []), ...(rule.suffix !== undefined ? [{ Name: 'suffix' as const, Value: rule.suffix }] : [])];
    configurations.push({
      Id: rule.queue !== undefined ? ruleId(rule, i) : encodeId(ruleId(rule, i), rule.target ?? ''),
      QueueArn: arn,
      Events: rule.events.map((e) => (e === 'created' ? 's3:ObjectCreated:*' : 's3:ObjectRemoved:*')),
      ...(rules.length > 0 ? { Filter: { Key: { FilterRules: rules } } } : {}),
    });
  }
  await call(ctx.at('s3', 'declare', `bucket "${config.name}"`), () =>
    ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { QueueConfigurations: configurations } })),
  );
}
