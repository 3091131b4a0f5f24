import type { BatchResultEntry } from '../../../ports/queues.ts';
import { settleEach } from '../../shared/queues/batch.ts';
import { parseReceipt } from './receipt.ts';
import { staleReceipt } from './stale.ts';
import type { QueueEntry, QueueState } from './state.ts';

/** Deletes the message if `handle` is its current lease (one fenced primary-key DELETE). */
function deleteLeased(state: QueueState, entry: QueueEntry, handle: string): void {
  const receipt = parseReceipt(entry.config.name, handle);
  if (state.stmts.deleteLeased.run(receipt.id, entry.id, receipt.seq).changes === 0) {
    throw staleReceipt(state, entry, handle, receipt);
  }
}

export function deleteOne(state: QueueState, queue: string, handle: string): void {
  deleteLeased(state, state.require(queue), handle);
}

/**
 * Makes deleteBatch: one transaction; a stale or malformed handle fails alone. One fenced DELETE
 * per handle: a single statement for the whole batch (handles joined as JSON or VALUES) measured
 * slower, as the per-row B-tree work dominates and the join adds its own.
 */
export function makeDeleteBatch(state: QueueState) {
  const tx = state.db.transaction((entry: QueueEntry, handles: string[]) => settleEach(handles, (handle) => deleteLeased(state, entry, handle)));
  return (queue: string, handles: string[]): Array<BatchResultEntry<void>> => {
    const entry = state.require(queue);
    return handles.length === 0 ? [] : tx.immediate(entry, handles);
  };
}
