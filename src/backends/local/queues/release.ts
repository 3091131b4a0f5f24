import { defaults } from '../../../core/defaults.ts';
import { ValidationError, serializeError, show } from '../../../core/errors.ts';
import { moveToDeadLetter } from './dead-letter.ts';
import { parseReceipt, type Receipt } from './receipt.ts';
import { staleReceipt } from './stale.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * Makes release: ends a lease after a failed attempt, in one transaction. Records the error (with
 * its stack) when given; moves the message to the DLQ when its attempts are used up, else makes it
 * visible after delayMs. The handle is stale afterwards.
 */
export function makeRelease(state: QueueState) {
  const { stmts } = state;
  const tx = state.db.transaction((entry: QueueEntry, handle: string, receipt: Receipt, lastError: string | null, delayMs: number, now: number) => {
    const row = stmts.lease.get(receipt.id);
    if (!row || row.queue_id !== entry.id || row.lease_seq !== receipt.seq || row.lease_state === 0) {
      throw staleReceipt(state, entry, handle, receipt);
    }
    const dl = entry.config.deadLetter;
    if (dl && row.attempts >= dl.maxReceiveCount) {
      moveToDeadLetter(state, receipt.id, entry, state.require(dl.queue), now, lastError);
      return true;
    }
    stmts.release.run(now + delayMs, lastError, receipt.id);
    return false;
  });
  return (queue: string, handle: string, options: { error?: unknown; delayMs?: number } = {}): { deadLettered: boolean } => {
    const entry = state.require(queue);
    const delayMs = options.delayMs ?? 0;
    const max = defaults.queue.maxVisibilityTimeoutMs;
    if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > max) {
      throw new ValidationError(`Queue '${queue}': release delayMs ${show(delayMs)} is out of range; it must be a whole number of milliseconds from 0 to ${max} (12h).`);
    }
    const receipt = parseReceipt(queue, handle);
    const lastError = 'error' in options && options.error !== undefined ? JSON.stringify(serializeError(options.error)) : null;
    const deadLettered = tx.immediate(entry, handle, receipt, lastError, delayMs, state.ctx.clock.now());
    if (deadLettered) state.notify(entry.config.deadLetter!.queue);
    else if (delayMs === 0) state.notify(queue);
    return { deadLettered };
  };
}
