/** Row shapes of the local queue tables, as the statements in statements.ts read and write them. */

/** A queue_messages row as the receive and redrive paths read it. */
export interface MessageRow {
  id: number;
  message_id: string;
  body: string;
  attributes: string | null;
  sent_at: number;
  enqueued_at: number;
  visible_at: number;
  lease_seq: number;
  lease_state: number;
  receive_count: number;
  attempts: number;
  first_received_at: number | null;
  last_error: string | null;
  source_queue: string | null;
}

/**
 * A visible message as the receive scan reads it, a tuple in better-sqlite3's raw mode (no object
 * per row). Each value of a result row costs about a thousand instructions to hand to JS on Node
 * 20 (better-sqlite3 sets it through V8's generic element store), so the values are few:
 * - sent_at is NULL for a message past retention (so enqueued_at need not be read);
 * - the three that are nearly always empty (a stored message id, the last error, the source
 *   queue) come as one `extra`, NULL when all three are (see statements.ts `readyColumns`);
 * - visible_at (where a next page starts) and lease_state (whether a lease expired) are read
 *   by id only when needed: a full page that skipped some, a message going to the DLQ.
 */
export type ReadyTuple = [
  id: number,
  body: string,
  attributes: string | null,
  /** null: past retention */
  sent_at: number | null,
  lease_seq: number,
  receive_count: number,
  attempts: number,
  first_received_at: number | null,
  /** JSON [message_id, last_error, source_queue], or null when all three are empty */
  extra: string | null,
];

/** Column positions in a ReadyTuple. */
export const col = {
  id: 0, body: 1, attributes: 2, sentAt: 3, leaseSeq: 4, receiveCount: 5, attempts: 6, firstReceivedAt: 7, extra: 8,
} as const;

/** The `extra` of a ReadyTuple, parsed. */
export interface ReadyExtra {
  /** '' unless stored before ids were derived (message-id.ts) */
  messageId: string;
  lastError: string | null;
  sourceQueue: string | null;
}

export function readyExtra(row: ReadyTuple): ReadyExtra {
  const text = row[col.extra];
  if (text === null) return { messageId: '', lastError: null, sourceQueue: null };
  const [messageId, lastError, sourceQueue] = JSON.parse(text) as [string, string | null, string | null];
  return { messageId, lastError, sourceQueue };
}

/** What a stale-receipt diagnosis needs to know about a message. */
export interface LeaseRow {
  queue_id: number;
  message_id: string;
  lease_seq: number;
  lease_state: number;
  attempts: number;
  receive_count: number;
  source_queue: string | null;
}
