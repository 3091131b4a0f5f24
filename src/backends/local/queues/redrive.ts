import { ValidationError, show, type SerializedError } from '../../../core/errors.ts';
import type { RedriveOptions, RedriveResult } from '../../../ports/queues.ts';
import { toStored } from './message.ts';
import type { QueueEntry, QueueState } from './state.ts';

const pageSize = 500;

/**
 * Makes redrive: moves messages from a dead-letter queue back to their source queue (or to
 * `options.to`), oldest first, in one transaction. A moved message starts over: attempts and
 * receive count reset, visible at once, retention counted from now; its last error is kept.
 *
 * Skipped, and left in the DLQ: messages in flight there (a consumer of the DLQ holds them), past
 * the DLQ's retention, rejected by `filter`, beyond `max`, or with no source queue and no `to`.
 * A dry run reports the same list and writes nothing. Because a moved message leaves the DLQ in
 * the same transaction, running redrive again never moves a message twice. A filter that throws
 * rolls the whole redrive back and the error propagates.
 */
export function makeRedrive(state: QueueState) {
  const { stmts } = state;
  const tx = state.db.transaction((dlq: QueueEntry, options: RedriveOptions, to: QueueEntry | undefined, max: number, now: number) => {
    const result: RedriveResult = { moved: 0, messages: [] };
    const woken = new Set<string>();
    const cutoff = now - dlq.config.retentionMs;
    let after = 0;
    while (result.messages.length < max) {
      const rows = stmts.page.all(dlq.id, after, pageSize);
      for (const row of rows) {
        if (result.messages.length >= max) break;
        after = row.id;
        if (row.visible_at > now || row.enqueued_at <= cutoff) continue;
        const dest = to ?? (row.source_queue === null ? undefined : state.find(row.source_queue));
        if (!dest) continue;
        if (options.filter && !options.filter(toStored(row, state.messageIds))) continue;
        const moved: RedriveResult['messages'][number] = { messageId: state.messageIds.of(row.id, row.message_id), sourceQueue: row.source_queue ?? undefined, to: dest.config.name, attempts: row.attempts };
        if (row.last_error !== null) moved.lastError = JSON.parse(row.last_error) as SerializedError;
        result.messages.push(moved);
        if (!options.dryRun) {
          stmts.redrive.run(dest.id, now, now, row.id);
          woken.add(dest.config.name);
        }
      }
      if (rows.length < pageSize) break;
    }
    result.moved = options.dryRun ? 0 : result.messages.length;
    return { result, woken };
  });

  return (deadLetterQueue: string, options: RedriveOptions = {}): RedriveResult => {
    const dlq = state.require(deadLetterQueue);
    const to = options.to === undefined ? undefined : state.require(options.to);
    if (to && to.id === dlq.id) {
      throw new ValidationError(`Redrive of '${deadLetterQueue}': 'to' names the dead-letter queue itself.`, { action: 'Pass the queue the messages should go back to, or leave out `to` to use each message\'s source queue.' });
    }
    const max = options.max ?? Infinity;
    if (max !== Infinity && (!Number.isInteger(max) || max < 0)) {
      throw new ValidationError(`Redrive of '${deadLetterQueue}': max is ${show(max)}; it must be a whole number of messages, 0 or more.`);
    }
    const run = options.dryRun ? tx.deferred : tx.immediate;
    const { result, woken } = run(dlq, options, to, max, state.ctx.clock.now());
    for (const name of woken) state.notify(name);
    return result;
  };
}
