/**
 * queues.peek on SQS, which has no peek: messages are received under a short hold, as redrive
 * does, until `limit` are seen or none are left, and made visible again at once. What SQS cannot
 * give, so the aws backend does not promise it:
 * - a receive counts toward maxReceiveCount, so peek refuses a queue with a dead-letter queue
 *   (listing could dead-letter a message); DLQs themselves, and queues without one, are listed;
 * - no cursor: one call returns up to `limit` messages in SQS's order and `next` is null;
 * - while listed (a second or so), the messages are hidden from consumers.
 */
import { ValidationError, show } from '../../../core/errors.ts';
import type { PeekOptions, PeekPage, PeekedMessage } from '../../../ports/queues.ts';
import { badPeekCursor, checkPeek } from '../../shared/queues/peek.ts';
import type { AwsContext } from '../context.ts';
import { changeVisibilityBatch } from './batch.ts';
import type { QueueDirectory } from './directory.ts';
import { receive } from './receive.ts';

const holdMs = 30_000;

export async function peek(ctx: AwsContext, dir: QueueDirectory, queue: string, options: PeekOptions = {}): Promise<PeekPage> {
  const limit = checkPeek(queue, options);
  if (options.cursor !== undefined) throw badPeekCursor(queue, options.cursor);
  const entry = await dir.entry(queue, 'peek');
  if (entry.config.deadLetter) {
    throw new ValidationError(`queues.peek of ${show(queue)}: on SQS, listing receives the messages, which counts toward the dead-letter queue's maxReceiveCount; only queues without a dead-letter queue (a DLQ itself) can be listed.`, { action: `List its dead-letter queue ${show(entry.config.deadLetter.queue)} instead.` });
  }
  const items: PeekedMessage[] = [];
  const handles: string[] = [];
  try {
    while (items.length < limit) {
      const batch = await receive(ctx, queue, entry.url, { maxMessages: Math.min(10, limit - items.length), visibilityTimeoutMs: holdMs });
      if (batch.length === 0) break;
      for (const { receiptHandle, ...m } of batch) {
        handles.push(receiptHandle);
        items.push({ ...m, state: 'visible' });
      }
    }
  } finally {
    if (handles.length) await changeVisibilityBatch(ctx, queue, entry.url, handles, 0);
  }
  return { items, next: null };
}
