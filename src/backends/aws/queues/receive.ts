/**
 * receive over ReceiveMessage: SQS returns at most 10 messages a call, so a larger maxMessages
 * takes several calls; only the first long-polls (WaitTimeSeconds from waitMs, rounded up to whole
 * seconds), the others return at once, and the loop ends at the first call that returns nothing
 * new. `signal` aborts the request in flight (the SDK's abortSignal) and rejects with its reason.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { defaults } from '../../../core/defaults.ts';
import { ValidationError, show } from '../../../core/errors.ts';
import type { ReceivedMessage, ReceiveOptions } from '../../../ports/queues.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { toReceived } from './message.ts';

function checkWhole(queue: string, field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`Queue '${queue}': receive option ${field} is ${show(value)}; it must be a whole number from ${min} to ${max}.`);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

export async function receive(ctx: AwsContext, queue: string, url: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
  const q = defaults.queue;
  checkWhole(queue, 'maxMessages', options.maxMessages, 1, q.maxReceiveBatchLocal);
  checkWhole(queue, 'waitMs', options.waitMs, 0, q.maxWaitMs);
  checkWhole(queue, 'visibilityTimeoutMs', options.visibilityTimeoutMs, 0, q.maxVisibilityTimeoutMs);
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const want = options.maxMessages ?? q.maxReceiveBatch;
  const out: ReceivedMessage[] = [];
  const seen = new Set<string>();
  const at = ctx.at('sqs', 'receive', `queue "${queue}"`);
  for (let first = true; out.length < want; first = false) {
    const command = new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(q.maxReceiveBatch, want - out.length),
      WaitTimeSeconds: first ? Math.ceil((options.waitMs ?? 0) / 1000) : 0,
      ...(options.visibilityTimeoutMs !== undefined ? { VisibilityTimeout: Math.ceil(options.visibilityTimeoutMs / 1000) } : {}),
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    let got;
    try {
      got = await call(at, () => ctx.clients.sqs.send(command, signal ? { abortSignal: signal } : {}));
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      throw err;
    }
    let fresh = 0;
    for (const m of got.Messages ?? []) {
      // With a zero visibility timeout SQS may hand the same message to the next call: never twice in one batch.
      if (seen.has(m.MessageId!)) continue;
      seen.add(m.MessageId!);
      out.push(toReceived(ctx, m, options.countAttempt ?? true));
      fresh++;
    }
    if (fresh === 0) break;
  }
  return out;
}
