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
 * The same columns as a tuple, as the receive path reads them: better-sqlite3's raw mode skips
 * building an object per row, which is a third of the cost of a receive. Keep in the order of
 * `messageColumns`.
 */
export type MessageTuple = [
  id: number,
  message_id: string,
  body: string,
  attributes: string | null,
  sent_at: number,
  enqueued_at: number,
  visible_at: number,
  lease_seq: number,
  lease_state: number,
  receive_count: number,
  attempts: number,
  first_received_at: number | null,
  last_error: string | null,
  source_queue: string | null,
];

/** Column positions in a MessageTuple. */
export const col = {
  id: 0, messageId: 1, body: 2, attributes: 3, sentAt: 4, enqueuedAt: 5, visibleAt: 6, leaseSeq: 7,
  leaseState: 8, receiveCount: 9, attempts: 10, firstReceivedAt: 11, lastError: 12, sourceQueue: 13,
} as const;

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
