/**
 * The SQS event a queue trigger hands its function, exactly as Lambda's SQS event source mapping
 * builds it (@types/aws-lambda SQSEvent): one record per message, string attributes, message
 * attributes typed 'String' or 'Number', and the MD5 of the body.
 */
import { createHash } from 'node:crypto';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
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
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: localAccount,
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
    },
    messageAttributes: messageAttributes(m.attributes),
    md5OfBody: createHash('md5').update(m.body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn(queue),
    awsRegion: localRegion,
  };
}

export function sqsEvent(queue: string, messages: readonly ReceivedMessage[]): SQSEvent {
  return { Records: messages.map((m) => sqsRecord(queue, m)) };
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
