import type { QueueStats } from '../../../ports/queues.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * Makes stats: first deletes messages past retention (the lazy expiry), then counts by state in
 * one pass over the queue's index entries. `deadLettered` is the depth of the queue's DLQ, not
 * counting messages past the DLQ's own retention.
 */
export function makeStats(state: QueueState) {
  const { stmts } = state;
  const tx = state.db.transaction((entry: QueueEntry, now: number): QueueStats => {
    stmts.expire.run(entry.id, now - entry.config.retentionMs);
    const c = stmts.counts.get(now, now, now, entry.id)!;
    const stats: QueueStats = {
      queue: entry.config.name,
      visible: c.visible,
      inFlight: c.in_flight,
      delayed: c.delayed,
      oldestAgeMs: c.oldest === null ? 0 : Math.max(0, now - c.oldest),
    };
    const dlq = state.deadLetterOf(entry);
    if (dlq) stats.deadLettered = stmts.depth.get(dlq.id, now - dlq.config.retentionMs)!.n;
    return stats;
  });
  return (queue: string): QueueStats => tx.immediate(state.require(queue), state.ctx.clock.now());
}

/** Deletes every message in the queue; returns how many. */
export function purge(state: QueueState, queue: string): number {
  return state.stmts.purge.run(state.require(queue).id).changes;
}
