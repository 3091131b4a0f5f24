/**
 * sendBatch over SendMessageBatch: each entry is checked against the queue's declared limit first
 * (an oversized or invalid entry fails alone, with local's wording), the rest go in requests of at
 * most 10 entries and 256 KiB (SQS's batch limits; a single larger message, up to the 1 MiB
 * maximum, goes alone), and SQS's per-entry failures come back as per-entry results.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { BatchResultEntry, SendInput, SendResult } from '../../../ports/queues.ts';
import { failed } from '../../shared/queues/batch.ts';
import type { AwsContext } from '../context.ts';
import { call, translate } from '../errors.ts';
import type { QueueEntry } from './directory.ts';
import { checkMessage, toSqsAttributes, wireBytes } from './message.ts';

const maxEntries = 10;
const maxRequestBytes = 256 * 1024;

export async function sendBatch(ctx: AwsContext, queue: string, entry: QueueEntry, inputs: SendInput[]): Promise<Array<BatchResultEntry<SendResult>>> {
  const results: Array<BatchResultEntry<SendResult>> = new Array(inputs.length);
  const chunks: Array<Array<{ index: number; request: SendMessageBatchRequestEntry }>> = [];
  let chunk: Array<{ index: number; request: SendMessageBatchRequestEntry }> = [];
  let bytes = 0;
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    try {
      checkMessage(queue, entry.config.maxMessageSize, input);
    } catch (err) {
      results[index] = failed(index, err);
      continue;
    }
    const size = wireBytes(input);
    if (chunk.length === maxEntries || (chunk.length > 0 && bytes + size > maxRequestBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    const attributes = toSqsAttributes(input.attributes);
    chunk.push({
      index,
      request: {
        Id: String(index),
        MessageBody: input.body,
        ...(attributes ? { MessageAttributes: attributes } : {}),
        ...(input.delayMs !== undefined ? { DelaySeconds: Math.ceil(input.delayMs / 1000) } : {}),
      },
    });
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  const at = ctx.at('sqs', 'send', `queue "${queue}"`);
  await Promise.all(
    chunks.map(async (entries) => {
      const out = await call(at, () => ctx.clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: entry.url, Entries: entries.map((e) => e.request) })));
      for (const ok of out.Successful ?? []) {
        const index = Number(ok.Id);
        results[index] = { index, ok: true, value: { messageId: ok.MessageId! } };
      }
      for (const bad of out.Failed ?? []) {
        const index = Number(bad.Id);
        results[index] = failed(index, translate(Object.assign(new Error(bad.Message ?? bad.Code ?? 'failed'), { name: bad.Code ?? 'Error' }), at));
      }
    }),
  );
  return results;
}
