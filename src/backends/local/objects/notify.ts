/**
 * Delivering a change's event records inside the caller's transaction: a rule with a queue gets the
 * S3 message body (`{"Records":[record]}`) enqueued in that transaction; any other target gets the
 * record in the outbox, which the runtime reads with pendingEvents and clears with ackEvents.
 */
import type { BucketConfig } from '../../../ports/objects.ts';
import type { LocalContext } from '../context.ts';
import { enqueueWithin } from '../queues/enqueue.ts';
import { recordsFor, type ObjectChange } from './events.ts';
import type { Queries } from './queries.ts';

/**
 * Writes every record the change produces. Must run inside a transaction. Returns the queues that
 * received a message, for the caller to signal after its commit.
 */
export function deliverWithin(ctx: LocalContext, q: Queries, config: BucketConfig, change: ObjectChange): string[] {
  const queues: string[] = [];
  for (const { rule, record } of recordsFor(config, change)) {
    if (rule.queue !== undefined) {
      enqueueWithin(ctx, rule.queue, { body: JSON.stringify({ Records: [record] }) });
      queues.push(rule.queue);
    } else {
      q.insertEvent.run(rule.target ?? '', JSON.stringify(record));
    }
  }
  return queues;
}

const dryRun = Symbol('dry run');

/**
 * Checks, before any file is moved, that every queue the change would notify accepts the message
 * (declared, within its size limit): enqueues inside a savepoint and rolls it back. Must run
 * inside a transaction. A refused message throws the queue store's error, so the write fails
 * cleanly instead of after its file was already in place.
 */
export function checkDeliverable(ctx: LocalContext, q: Queries, config: BucketConfig, change: ObjectChange): void {
  if (!config.notifications.some((r) => r.queue !== undefined)) return;
  try {
    ctx.db.transaction(() => {
      deliverWithin(ctx, q, config, change);
      throw dryRun;
    })();
  } catch (err) {
    if (err !== dryRun) throw err;
  }
}

/** After a commit: wakes consumers waiting on the queues that received messages. */
export function signalQueues(ctx: LocalContext, queues: readonly string[]): void {
  for (const queue of new Set(queues)) ctx.signals.emit(`queue:${queue}`);
}
