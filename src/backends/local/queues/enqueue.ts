import { randomUUID } from 'node:crypto';
import type { SendInput, SendResult } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import { checkDelay, checkMessage } from './message.ts';
import type { InsertRow } from './rows.ts';
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

/** Validates one message and returns its row, ready to insert (throws for a bad message). */
export function messageRow(entry: QueueEntry, input: SendInput, now: number): InsertRow {
  const { name, maxMessageSize, delayMs } = entry.config;
  const attributes = checkMessage(name, maxMessageSize, input);
  const delay = checkDelay(name, input.delayMs, delayMs);
  return [entry.id, randomUUID(), input.body, attributes, now, now, now + delay];
}

/** Chunk sizes of the multi-row INSERTs: a batch of 100 is 64 + 16 + 16 + 4 rows, four statements. */
const chunks = [64, 16, 4, 1] as const;

/**
 * The one insert path: send, sendBatch and enqueueWithin all come here. Inserts validated rows
 * with as few statements as the chunk sizes allow (one statement per row costs a third more).
 */
export function insertRows(state: QueueState, rows: InsertRow[]): void {
  let at = 0;
  for (const size of chunks) {
    if (rows.length - at < size) continue;
    const stmt = state.insertMany(size);
    for (; rows.length - at >= size; at += size) stmt.run(size === 1 ? rows[at]! : rows.slice(at, at + size).flat());
  }
}

/** Validates and inserts one message. */
export function insertMessage(state: QueueState, entry: QueueEntry, input: SendInput, now: number): SendResult {
  const row = messageRow(entry, input, now);
  insertRows(state, [row]);
  return { messageId: row[1] };
}
