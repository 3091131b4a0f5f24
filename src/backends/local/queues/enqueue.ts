import { randomUUID } from 'node:crypto';
import type { SendInput, SendResult } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import { checkDelay, checkMessage } from './message.ts';
import { queueState, type QueueEntry, type QueueState } from './state.ts';

/**
 * Enqueues one message as part of the caller's open transaction (used by object notifications and
 * topic subscriptions so the event and the state change commit together). Validates the queue and
 * the size like `send`: NotFoundError for an undeclared queue, TooLargeError or ValidationError for
 * a bad message, thrown before anything is written. The caller emits `queue:<name>` on ctx.signals
 * after its commit.
 */
export function enqueueWithin(ctx: LocalContext, queue: string, input: SendInput): SendResult {
  const state = queueState(ctx);
  return insertMessage(state, state.require(queue), input, ctx.clock.now());
}

/**
 * Rows to insert, flat: each message is `insertColumns` values (queue_id, message_id, body,
 * attributes, sent_at, enqueued_at, visible_at), in the order of statements.ts `insertMany`.
 */
export class InsertRows {
  readonly params: unknown[] = [];
  count = 0;

  /**
   * Validates one message (throws for a bad one, adding nothing) and adds its row. Returns its
   * message id and its delay (0: visible at once).
   */
  add(entry: QueueEntry, input: SendInput, now: number): { messageId: string; delay: number } {
    const { name, maxMessageSize, delayMs } = entry.config;
    const attributes = checkMessage(name, maxMessageSize, input);
    const delay = checkDelay(name, input.delayMs, delayMs);
    const messageId = randomUUID();
    this.params.push(entry.id, messageId, input.body, attributes, now, now, now + delay);
    this.count++;
    return { messageId, delay };
  }
}

export const insertColumns = 7;

/** Chunk sizes of the multi-row INSERTs: a batch of 100 is 64 + 32 + 4 rows, three statements. */
const chunks = [64, 32, 16, 8, 4, 2, 1] as const;

/**
 * The one insert path: send, sendBatch and enqueueWithin all come here. Inserts validated rows
 * with as few statements as the chunk sizes allow (one statement per row costs a third more).
 */
export function insertRows(state: QueueState, rows: InsertRows): void {
  const { params, count } = rows;
  if (count === 1) {
    state.insertMany(1).run(params);
    return;
  }
  let at = 0;
  for (const size of chunks) {
    if (count - at < size) continue;
    const stmt = state.insertMany(size);
    for (; count - at >= size; at += size) stmt.run(params.slice(at * insertColumns, (at + size) * insertColumns));
  }
}

/** Validates and inserts one message. */
export function insertMessage(state: QueueState, entry: QueueEntry, input: SendInput, now: number): SendResult {
  const rows = new InsertRows();
  const { messageId } = rows.add(entry, input, now);
  insertRows(state, rows);
  return { messageId };
}
