/**
 * A publish on SNS: local's checks and words (shared/topics/message.ts: a string message, a subject
 * SNS accepts, string attributes, 256 KiB counting the subject and attributes), then one check SNS
 * would not make before fanning out: a queue subscriber whose maxMessageSize cannot hold the
 * notification is refused before anything is sent, so no subscriber gets the message (as local's
 * all-or-nothing publish). The size checked is the notification as local builds it, which is a
 * lower bound of SNS's own (SNS adds its signature fields, some 600 bytes): a message within that
 * margin of a queue's limit passes here and is then dropped by SNS for that queue alone.
 */
import { PublishCommand, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { NotFoundError, TooLargeError } from '../../../core/errors.ts';
import type { PublishInput, TopicConfig, TopicMessage } from '../../../ports/topics.ts';
import { buildMessage } from '../../shared/topics/message.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import type { QueueDirectory } from '../queues/directory.ts';
import { checkMessage } from '../queues/message.ts';

/** The notification JSON a queue subscriber gets, without SNS's signature fields. */
function envelope(arn: string, m: TopicMessage): string {
  const attributes = Object.entries(m.attributes);
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '00000000-0000-0000-0000-000000000000',
    TopicArn: arn,
    ...(m.subject !== undefined ? { Subject: m.subject } : {}),
    Message: m.message,
    Timestamp: '2000-01-01T00:00:00.000Z',
    ...(attributes.length > 0 ? { MessageAttributes: Object.fromEntries(attributes.map(([k, v]) => [k, { Type: 'String', Value: v }])) } : {}),
  });
}

async function checkQueues(queues: QueueDirectory, config: TopicConfig, arn: string, message: TopicMessage): Promise<void> {
  let body: string | undefined;
  for (const s of config.subscribers) {
    if (s.kind !== 'queue') continue;
    const entry = await queues.entry(s.queue, 'publish').catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined; // gone since declare: SNS drops its copy
      throw err;
    });
    if (!entry) continue;
    body ??= envelope(arn, message);
    try {
      checkMessage(s.queue, entry.config.maxMessageSize, { body });
    } catch (err) {
      if (err instanceof TooLargeError) {
        throw new TooLargeError(`Topic '${config.name}': the notification for queue '${s.queue}' (the message in its SNS envelope) is too large: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }
}

/** Checks and publishes; returns SNS's MessageId. A topic SNS no longer has is a NotFoundError from SNS. */
export async function publish(ctx: AwsContext, queues: QueueDirectory, config: TopicConfig, arn: string, input: PublishInput): Promise<string> {
  const message = buildMessage(config.name, input, ctx.clock.now());
  await checkQueues(queues, config, arn, message);
  const attributes = Object.entries(message.attributes);
  const MessageAttributes: Record<string, MessageAttributeValue> | undefined = attributes.length > 0 ? Object.fromEntries(attributes.map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) : undefined;
  const out = await call(ctx.at('sns', 'publish', `topic "${config.name}"`), () =>
    ctx.clients.sns.send(new PublishCommand({ TopicArn: arn, Message: message.message, ...(message.subject !== undefined ? { Subject: message.subject } : {}), ...(MessageAttributes ? { MessageAttributes } : {}) })),
  );
  return out.MessageId!;
}
