/**
 * Redrive from a dead-letter queue by receive + SendMessageBatch + DeleteMessageBatch (SQS's own
 * StartMessageMoveTask cannot filter, cap or preview). Messages are received under a visibility
 * timeout, so a message a DLQ consumer holds is never seen, and each is seen once per run; the
 * ones left where they are (filtered out, over max, dry run, failed to send) are made visible
 * again at the end. A message is deleted from the DLQ only after its copy was sent, so a crash
 * between the two repeats it (at least once, as SQS), never loses it.
 *
 * Destination: `to`, else the DLQ message's DeadLetterQueueSourceArn (set by SQS when it moved
 * the message), else the one declared queue whose deadLetter names this DLQ.
 */
import { ValidationError, show } from '../../../core/errors.ts';
import type { QueueConfig, ReceivedMessage, RedriveOptions, RedriveResult, SendInput } from '../../../ports/queues.ts';
import type { AwsContext } from '../context.ts';
import type { QueueDirectory } from './directory.ts';
import { changeVisibilityBatch, deleteBatch } from './batch.ts';
import { receive } from './receive.ts';
import { sendBatch } from './send.ts';

/** How long the run holds the messages it looks at. */
const holdMs = 60_000;

export async function redrive(ctx: AwsContext, dir: QueueDirectory, list: () => Promise<QueueConfig[]>, dlq: string, options: RedriveOptions = {}): Promise<RedriveResult> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  if (options.max !== undefined && (!Number.isInteger(options.max) || options.max < 0)) {
    throw new ValidationError(`Redrive of '${dlq}': max is ${show(options.max)}; it must be a whole number of messages, 0 or more.`);
  }
  if (options.to === dlq) {
    throw new ValidationError(`Redrive of '${dlq}': 'to' names the dead-letter queue itself.`, { action: "Pass the queue the messages should go back to, or leave out `to` to use each message's source queue." });
  }
  const url = await dir.url(dlq, 'redrive');
  if (options.to !== undefined) await dir.entry(options.to, 'redrive');
  let declaredSource: string | undefined | null = null;
  const sourceOf = async (m: ReceivedMessage): Promise<string | undefined> => {
    if (m.sourceQueue !== undefined) return m.sourceQueue;
    if (declaredSource === null) {
      const sources = (await list()).filter((c) => c.deadLetter?.queue === dlq);
      declaredSource = sources.length === 1 ? sources[0]!.name : undefined;
    }
    return declaredSource;
  };

  const result: RedriveResult = { moved: 0, messages: [] };
  const putBack: string[] = [];
  const unmoved = new Set<string>();
  try {
    while (result.messages.length < max) {
      const batch = await receive(ctx, dlq, url, { maxMessages: 10, visibilityTimeoutMs: holdMs });
      if (batch.length === 0) break;
      const moving = new Map<string, Array<{ m: ReceivedMessage; source: string | undefined }>>();
      for (const m of batch) {
        if (result.messages.length >= max || (options.filter && !options.filter(m))) {
          putBack.push(m.receiptHandle);
          continue;
        }
        const source = await sourceOf(m);
        const to = options.to ?? source;
        if (to === undefined) {
          putBack.push(m.receiptHandle);
          continue;
        }
        result.messages.push({ messageId: m.messageId, sourceQueue: source, to, attempts: m.attempts - 1 });
        if (options.dryRun) putBack.push(m.receiptHandle);
        else moving.set(to, [...(moving.get(to) ?? []), { m, source }]);
      }
      for (const [to, items] of moving) {
        const entry = await dir.entry(to, 'redrive');
        const inputs: SendInput[] = items.map(({ m }) => ({ body: m.body, attributes: m.attributes }));
        const sent = await sendBatch(ctx, to, entry, inputs);
        const done = items.filter((_, i) => sent[i]?.ok);
        for (const [i, { m }] of items.entries()) {
          if (sent[i]?.ok) continue;
          putBack.push(m.receiptHandle);
          unmoved.add(m.messageId);
        }
        const deleted = await deleteBatch(ctx, dlq, url, done.map(({ m }) => m.receiptHandle));
        // A copy was sent but the original stayed (its lease was lost): it will be redriven again.
        result.moved += deleted.filter((d) => d.ok).length;
      }
    }
  } finally {
    if (putBack.length > 0) await changeVisibilityBatch(ctx, dlq, url, putBack, 0);
  }
  if (!options.dryRun) result.messages = result.messages.filter((m) => !unmoved.has(m.messageId));
  return result;
}
