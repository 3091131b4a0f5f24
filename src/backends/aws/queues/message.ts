/**
 * Messages between Baton's shapes and SQS's: the size check (worded as on local), message
 * attributes both ways, and a received SQS message as the port's ReceivedMessage.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { defaults } from '../../../core/defaults.ts';
import { formatDuration } from '../../../core/duration.ts';
import { TooLargeError, ValidationError, show } from '../../../core/errors.ts';
import { formatSize } from '../../../core/size.ts';
import type { MessageAttributes, ReceivedMessage, SendInput } from '../../../ports/queues.ts';
import type { AwsContext } from '../context.ts';
import { physicalNameOf } from './directory.ts';

/** Checks a message to send against the queue's declared limit (body plus attribute names and values, UTF-8). */
export function checkMessage(queue: string, limit: number, input: SendInput): void {
  const body: unknown = input?.body;
  if (typeof body !== 'string') {
    throw new ValidationError(`Queue '${queue}': message body is ${show(body)}; it must be a string.`, { action: 'Serialize the payload, e.g. with JSON.stringify, before sending.' });
  }
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    if (typeof value === 'string') size += Buffer.byteLength(value, 'utf8');
    else if (typeof value === 'number' && Number.isFinite(value)) size += String(value).length;
    else throw new ValidationError(`Queue '${queue}': message attribute '${name}' is ${show(value)}; attribute values must be strings or finite numbers.`);
    size += Buffer.byteLength(name, 'utf8');
  }
  if (size > limit) {
    throw new TooLargeError(
      `Message for queue '${queue}' is ${size} bytes (${formatSize(size)}, body plus attribute names and values in UTF-8), over the queue's limit of ${limit} bytes (${formatSize(limit)}).`,
      { action: `Put the payload in an object and send its key, or raise maxMessageSize of queue '${queue}' in baton.config.ts (at most ${formatSize(defaults.queue.maxMessageSizeCap)}).` },
    );
  }
  if (input.delayMs !== undefined && (typeof input.delayMs !== 'number' || !Number.isFinite(input.delayMs) || input.delayMs < 0 || input.delayMs > defaults.queue.maxDelayMs)) {
    throw new ValidationError(`Queue '${queue}': delayMs is ${show(input.delayMs)}; it must be from 0 to ${defaults.queue.maxDelayMs} (${formatDuration(defaults.queue.maxDelayMs)}).`);
  }
}

/** The bytes SQS counts toward its batch request limit for an entry (body, names, types, values). */
export function wireBytes(input: SendInput): number {
  let size = Buffer.byteLength(input.body, 'utf8');
  for (const [name, value] of Object.entries(input.attributes ?? {})) size += Buffer.byteLength(name, 'utf8') + 6 + Buffer.byteLength(String(value), 'utf8');
  return size;
}

export function toSqsAttributes(attributes: MessageAttributes | undefined): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'number' ? { DataType: 'Number', StringValue: String(v) } : { DataType: 'String', StringValue: v }]));
}

export function fromSqsAttributes(attributes: Record<string, MessageAttributeValue> | undefined): MessageAttributes {
  const out: MessageAttributes = {};
  for (const [k, v] of Object.entries(attributes ?? {})) {
    const text = v.StringValue ?? '';
    out[k] = v.DataType?.startsWith('Number') ? Number(text) : text;
  }
  return out;
}

/**
 * A received SQS message in the port's shape. attempts = receiveCount: on SQS every receive counts
 * toward maxReceiveCount, whether or not a handler started. For a receive with countAttempt: false
 * it is receiveCount - 1, the attempts before this one, as the port says (the local backend's
 * count there; startAttempts would add this one): a run's attempt is then the same on both.
 * No lastError: SQS cannot record one.
 */
export function toReceived(ctx: AwsContext, m: Message, counted = true): ReceivedMessage {
  const a = m.Attributes ?? {};
  const receiveCount = Number(a.ApproximateReceiveCount ?? 1);
  const sentAt = Number(a.SentTimestamp ?? 0);
  const received: ReceivedMessage = {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: fromSqsAttributes(m.MessageAttributes),
    receiveCount,
    attempts: counted ? receiveCount : receiveCount - 1,
    sentAt,
    firstReceivedAt: Number(a.ApproximateFirstReceiveTimestamp ?? sentAt),
  };
  const source = a.DeadLetterQueueSourceArn ? ctx.names.strip(physicalNameOf(a.DeadLetterQueueSourceArn)) : undefined;
  if (source !== undefined) received.sourceQueue = source;
  return received;
}
