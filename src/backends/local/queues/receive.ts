import { defaults } from '../../../core/defaults.ts';
import { ValidationError, show } from '../../../core/errors.ts';
import type { ReceivedMessage, ReceiveOptions } from '../../../ports/queues.ts';
import { leaseExpiredError, moveToDeadLetter } from './dead-letter.ts';
import { waitForWake } from './long-poll.ts';
import { AttributeReader, toReceived } from './message.ts';
import { col, readyExtra } from './rows.ts';
import type { QueueEntry, QueueState } from './state.ts';

const q = defaults.queue;

interface ReceiveRequest {
  max: number;
  visibilityTimeoutMs: number;
  counted: boolean;
  waitMs: number;
}

function whole(queue: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`Queue '${queue}': receive option ${field} is ${show(value)}; it must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function checkOptions(entry: QueueEntry, options: ReceiveOptions): ReceiveRequest {
  const name = entry.config.name;
  return {
    max: whole(name, 'maxMessages', options.maxMessages ?? q.maxReceiveBatch, 1, q.maxReceiveBatchLocal),
    visibilityTimeoutMs: whole(name, 'visibilityTimeoutMs', options.visibilityTimeoutMs ?? entry.config.visibilityTimeoutMs, 0, q.maxVisibilityTimeoutMs),
    waitMs: whole(name, 'waitMs', options.waitMs ?? 0, 0, q.maxWaitMs),
    counted: options.countAttempt ?? true,
  };
}

/**
 * Makes the one-shot receive: in one transaction, walks visible messages in (visible_at, id)
 * order; deletes those past retention, moves those whose attempts are used up to the DLQ (a lease
 * that expired on its last attempt), and picks the rest until the batch is full; then leases the
 * picked ones with one UPDATE per chunk (chunks.ts). The walk pages by (visible_at, id) and the
 * leases are written after it, so no message is met twice, even with a zero visibility timeout.
 * Returns the messages and whether any went to the DLQ (to wake its pollers).
 */
function makeReceiveNow(state: QueueState) {
  const { stmts } = state;
  return state.db.transaction((entry: QueueEntry, req: ReceiveRequest, now: number) => {
    const dlq = state.deadLetterOf(entry);
    const maxAttempts = entry.config.deadLetter?.maxReceiveCount ?? Infinity;
    const cutoff = now - entry.config.retentionMs;
    const lease = { now, counted: req.counted, attributes: new AttributeReader(), ids: state.messageIds };
    const out: ReceivedMessage[] = [];
    const picked: number[] = [];
    let deadLettered = false;
    let limit = req.max;
    let rows = stmts.ready.all(cutoff, entry.id, now, limit);
    for (;;) {
      const last = rows.length - 1;
      // Where the next page starts: the (visible_at, id) of this page's last row. Its visible_at is
      // read only if a next page is needed, and before this walk changes the row (a picked row
      // changes only after the walk).
      let lastVisibleAt: number | undefined;
      for (let i = 0; i <= last; i++) {
        const row = rows[i]!;
        const id = row[col.id];
        const pastRetention = row[col.sentAt] === null;
        if (pastRetention || (dlq && row[col.attempts] >= maxAttempts)) {
          if (i === last) lastVisibleAt = stmts.visibleAt.get(id)!;
          if (pastRetention) {
            stmts.deleteById.run(id);
            continue;
          }
          const { messageId, lastError } = readyExtra(row);
          const expired = lastError === null && stmts.lease.get(id)!.lease_state !== 0;
          moveToDeadLetter(state, id, entry, dlq!, now, expired ? leaseExpiredError(state.messageIds.of(id, messageId), row[col.attempts], entry) : null);
          deadLettered = true;
        } else {
          picked.push(id);
          out.push(toReceived(row, lease));
        }
      }
      // A short page means nothing more is visible; a full one that skipped some may have more after it.
      if (out.length === req.max || rows.length < limit) break;
      const lastId = rows[last]![col.id];
      limit = req.max - out.length;
      rows = stmts.readyAfter.all(cutoff, entry.id, now, lastVisibleAt ?? stmts.visibleAt.get(lastId)!, lastId, limit);
    }
    const shared = [now + req.visibilityTimeoutMs, req.counted ? 2 : 1, req.counted ? 1 : 0, now];
    state.lease.each(picked.length, (stmt, at, size) => {
      if (stmt.run(...shared, ...picked.slice(at, at + size)).changes !== size) throw new Error(`queue_messages: a picked message vanished before its lease was written`);
    });
    return { messages: out, deadLettered };
  });
}

/**
 * Makes receive: a one-shot receive, then (when waitMs > 0 and nothing came) a long poll that
 * retries on each in-process `queue:<name>` signal and every pollIntervalMs on the clock, until a
 * message arrives, waitMs passes, or the caller's signal aborts (rejecting with its reason).
 */
export function makeReceive(state: QueueState) {
  const receiveNow = makeReceiveNow(state);
  const clock = state.ctx.clock;
  return async (queue: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> => {
    options.signal?.throwIfAborted();
    const entry = state.require(queue);
    const req = checkOptions(entry, options);
    const deadline = clock.now() + req.waitMs;
    for (;;) {
      const { messages, deadLettered } = receiveNow.immediate(entry, req, clock.now());
      if (deadLettered) state.notify(entry.config.deadLetter!.queue);
      const remaining = deadline - clock.now();
      if (messages.length > 0 || remaining <= 0) return messages;
      await waitForWake(state.ctx, `queue:${queue}`, Math.min(q.pollIntervalMs, remaining), options.signal);
    }
  };
}
