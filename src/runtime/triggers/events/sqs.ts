/**
 * The SQS event a queue trigger hands its function, exactly as Lambda's SQS event source mapping
 * builds it (@types/aws-lambda SQSEvent): one record per message, string attributes, message
 * attributes typed 'String' or 'Number', and the MD5 of the body.
 */
import { createHash } from 'node:crypto';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { encodedEvent, type EncodedEvent } from '../../../ports/executor.ts';
import type { MessageAttributes, ReceivedMessage } from '../../../ports/queues.ts';
import { localAccount, localRegion } from './aws.ts';

export function queueArn(queue: string): string {
  return `arn:aws:sqs:${localRegion}:${localAccount}:${queue}`;
}

function messageAttributes(attributes: MessageAttributes): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = { stringValue: String(value), stringListValues: [], binaryListValues: [], dataType: typeof value === 'number' ? 'Number' : 'String' };
  }
  return out;
}

export function sqsRecord(queue: string, m: ReceivedMessage): SQSRecord {
  return record(queueArn(queue), localRegion, localAccount, m.messageId, m.receiptHandle, m.body, m.receiveCount, m.sentAt, m.firstReceivedAt, m.attributes);
}

function record(arn: string, region: string, account: string, messageId: string, receiptHandle: string, body: string, receiveCount: number, sentAt: number, firstReceivedAt: number, attributes: MessageAttributes): SQSRecord {
  return {
    messageId,
    receiptHandle,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(sentAt),
      SenderId: account,
      ApproximateFirstReceiveTimestamp: String(firstReceivedAt),
    },
    messageAttributes: messageAttributes(attributes),
    md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  };
}

/**
 * The event for a batch of messages. Its records are built only when read (a run's input summary
 * reads the first few), and it carries its wire form (encodedEvent): the messages' fields as one
 * JSON array, which a worker turns into the same event (sqsEventFromWire), so the thread that
 * receives never hashes the bodies (md5OfBody) nor writes the records' JSON.
 */
export function sqsEvent(queue: string, messages: readonly ReceivedMessage[]): SQSEvent {
  let records: SQSRecord[] | undefined;
  const event = {} as SQSEvent;
  Object.defineProperty(event, 'Records', {
    enumerable: true,
    configurable: true,
    get: () => (records ??= messages.map((m) => sqsRecord(queue, m))),
    set: (v: SQSRecord[]) => (records = v),
  });
  const rows = messages.map((m) => [m.messageId, m.receiptHandle, m.body, m.receiveCount, m.sentAt, m.firstReceivedAt, hasAny(m.attributes) ? m.attributes : 0]);
  const wire: EncodedEvent = { decoder: 'sqs', json: JSON.stringify([queueArn(queue), localRegion, localAccount, rows]) };
  Object.defineProperty(event, encodedEvent, { value: wire });
  return event;
}

function hasAny(attributes: MessageAttributes): boolean {
  for (const _ in attributes) return true;
  return false;
}

type WireRow = [messageId: string, receiptHandle: string, body: string, receiveCount: number, sentAt: number, firstReceivedAt: number, attributes: MessageAttributes | 0];

/** The event sqsEvent stands for, from its wire form: what a handler in a worker receives. */
export function sqsEventFromWire(json: string): SQSEvent {
  const [arn, region, account, rows] = JSON.parse(json) as [string, string, string, WireRow[]];
  return { Records: rows.map(([id, handle, body, receiveCount, sentAt, firstReceivedAt, attributes]) => record(arn, region, account, id, handle, body, receiveCount, sentAt, firstReceivedAt, attributes || {})) };
}

/**
 * The message ids a handler reported as failed (`{ batchItemFailures: [{ itemIdentifier }] }`).
 * As Lambda: a result that is not a partial-batch response means every message succeeded; an
 * entry naming no message of the batch (or an empty/invalid identifier) fails the whole batch.
 * Stream triggers use it with the records' sequence numbers (`idName`).
 */
export function batchItemFailures(result: unknown, batchIds: ReadonlySet<string>, idName = 'message id'): { failed: Set<string> } | { wholeBatch: string } {
  if (result === null || typeof result !== 'object' || !('batchItemFailures' in result)) return { failed: new Set() };
  const list = (result as { batchItemFailures: unknown }).batchItemFailures;
  if (list === null || list === undefined) return { failed: new Set() };
  if (!Array.isArray(list)) return { wholeBatch: 'batchItemFailures is not an array' };
  const failed = new Set<string>();
  for (const entry of list) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !batchIds.has(id)) return { wholeBatch: `batchItemFailures names ${JSON.stringify(id) ?? String(id)}, which is not a ${idName} of this batch` };
    failed.add(id);
  }
  return { failed };
}
