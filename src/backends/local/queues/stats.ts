import type { Db } from '../db.ts';
import type { QueueStats } from '../../../ports/queues.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * The statements of stats, each answered from an index (see schema.ts), never by reading every
 * message row: the oldest message is one step down (queue_id, enqueued_at); visible and a DLQ's
 * depth are counts of index entries (covering, so ~40 ns a message and no row read); in flight and
 * delayed read the rows of the (queue_id, visible_at) range past now, which holds only the
 * messages not visible (leased or delayed), not the backlog.
 */
function prepareStats(db: Db) {
  return {
    /** queue_id */
    oldest: db.prepare<[number], number | null>('SELECT min(enqueued_at) FROM queue_messages WHERE queue_id = ?').pluck(),
    /** queue_id, now */
    visible: db.prepare<[number, number], number>('SELECT count(*) FROM queue_messages INDEXED BY queue_messages_ready WHERE queue_id = ? AND visible_at <= ?').pluck(),
    /** queue_id, now */
    hidden: db.prepare<[number, number], { in_flight: number; delayed: number }>(
      `SELECT count(*) FILTER (WHERE lease_state <> 0) AS in_flight, count(*) FILTER (WHERE lease_state = 0) AS delayed
         FROM queue_messages INDEXED BY queue_messages_ready WHERE queue_id = ? AND visible_at > ?`,
    ),
    /** queue_id, retention cutoff: messages not past retention */
    depth: db.prepare<[number, number], number>('SELECT count(*) FROM queue_messages INDEXED BY queue_messages_age WHERE queue_id = ? AND enqueued_at > ?').pluck(),
    /** queue_id, retention cutoff */
    expire: db.prepare<[number, number]>('DELETE FROM queue_messages INDEXED BY queue_messages_age WHERE queue_id = ? AND enqueued_at <= ?'),
  };
}

/**
 * Makes stats. The counts are read in one read transaction (one snapshot), which first looks up the
 * queue's oldest message: when it is past retention (rarely), the read stops there, the lazy expiry
 * deletes those messages in a write transaction, and the counts are read again (without the check,
 * so a message sent meanwhile with a zero retention cannot loop it). Otherwise nothing is written,
 * so stats takes no write lock and never waits behind, or holds up, a sender; and the oldest message
 * is looked up once per call. `deadLettered` is the depth of the queue's DLQ, not counting messages
 * past the DLQ's own retention.
 */
export function makeStats(state: QueueState) {
  const st = prepareStats(state.db);
  const expire = state.db.transaction((id: number, cutoff: number) => st.expire.run(id, cutoff));
  /** The stats, or undefined when the oldest message is at or before `cutoff` (expire first). */
  const read = state.db.transaction((entry: QueueEntry, now: number, cutoff: number): QueueStats | undefined => {
    const oldest = st.oldest.get(entry.id) ?? null;
    if (oldest !== null && oldest <= cutoff) return undefined;
    const hidden = st.hidden.get(entry.id, now)!;
    const stats: QueueStats = {
      queue: entry.config.name,
      visible: st.visible.get(entry.id, now)!,
      inFlight: hidden.in_flight,
      delayed: hidden.delayed,
      oldestAgeMs: oldest === null ? 0 : Math.max(0, now - oldest),
    };
    const dlq = state.deadLetterOf(entry);
    if (dlq) stats.deadLettered = st.depth.get(dlq.id, now - dlq.config.retentionMs)!;
    return stats;
  });
  return (queue: string): QueueStats => {
    const entry = state.require(queue);
    const now = state.ctx.clock.now();
    const cutoff = now - entry.config.retentionMs;
    const stats = read.deferred(entry, now, cutoff);
    if (stats) return stats;
    expire.immediate(entry.id, cutoff);
    return read.deferred(entry, now, -Infinity)!;
  };
}

/** Deletes every message in the queue; returns how many. */
export function purge(state: QueueState, queue: string): number {
  return state.stmts.purge.run(state.require(queue).id).changes;
}
