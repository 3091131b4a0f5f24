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

/** Values bound per row of QueueState `insert`: body, attributes, visible_at (queue and time are bound once). */
const insertColumns = 3;

/**
 * A body longer than this (UTF-16 code units) is stored in queue_bodies, not in its message's row
 * (schema.ts): 1,024 is under SQLite's ~4 KB of a row kept on its 4 KiB page whatever the
 * characters, so a row still written whole by each lease and count stays small.
 */
export const inlineBodyMax = 1024;

/** Rows to insert into one queue at one time, flat (`insertColumns` values each). */
export class InsertRows {
  readonly params: unknown[] = [];
  /** The named parameters of QueueState `insert`. */
  readonly shared: { queue: number; now: number };
  /** The long bodies, flat: the row's position in this list, then its body (stored in queue_bodies). */
  readonly bodies: Array<number | string> = [];
  count = 0;

  constructor(
    private readonly entry: QueueEntry,
    private readonly now: number,
  ) {
    this.shared = { queue: entry.id, now };
  }

  /** Validates one message (throws for a bad one, adding nothing) and adds its row. Returns its delay (0: visible at once). */
  add(input: SendInput): number {
    const { name, maxMessageSize, delayMs } = this.entry.config;
    // Each field read once, so what is checked (size, type) is what is stored.
    const message: SendInput = { body: input?.body, attributes: input?.attributes, delayMs: input?.delayMs };
    const attributes = checkMessage(name, maxMessageSize, message);
    const delay = checkDelay(name, message.delayMs, delayMs);
    const long = message.body.length > inlineBodyMax;
    if (long) this.bodies.push(this.count, message.body);
    this.params.push(long ? '' : message.body, attributes, this.now + delay);
    this.count++;
    return delay;
  }
}

/**
 * The one insert path: send, sendBatch and enqueueWithin all come here. Inserts validated rows in
 * chunks (chunks.ts) and returns the row id of the first; the others follow it one by one (an
 * AUTOINCREMENT INSERT in a write transaction numbers its rows consecutively: checked per chunk).
 * Long bodies then go into queue_bodies by those ids; with any, the caller must be in a
 * transaction (send opens one), so a message is never stored without its body.
 */
export function insertRows(state: QueueState, rows: InsertRows): number {
  const { params, shared, count, bodies } = rows;
  // Checked before any row is written: a message must never be stored without its body.
  if (bodies.length > 0 && !state.db.inTransaction) throw new Error('queue_bodies: long bodies are inserted only inside a transaction');
  let first = 0;
  state.insert.each(count, (stmt, at, size) => {
    const values = size === count ? params : params.slice(at * insertColumns, (at + size) * insertColumns);
    const last = Number(stmt.run(values, shared).lastInsertRowid);
    if (at === 0) first = last - size + 1;
    else if (last !== first + at + size - 1) throw new Error(`queue_messages: rows ${first}.. then ${last - size + 1}..${last}, not consecutive`);
  });
  if (bodies.length > 0) {
    for (let i = 0; i < bodies.length; i += 2) bodies[i] = first + (bodies[i] as number);
    state.insertBodies.each(bodies.length / 2, (stmt, at, size) => {
      stmt.run(size * 2 === bodies.length ? bodies : bodies.slice(at * 2, (at + size) * 2));
    });
  }
  return first;
}

/** Validates and inserts one message; returns its id and delay. */
export function insertMessage(state: QueueState, entry: QueueEntry, input: SendInput, now: number): SendResult & { delay: number } {
  const rows = new InsertRows(entry, now);
  const delay = rows.add(input);
  return { messageId: state.messageIds.of(insertRows(state, rows)), delay };
}
