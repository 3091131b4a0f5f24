import { StaleReceiptError } from '../../../core/errors.ts';
import { parseReceipt } from './receipt.ts';
import { staleReceipt } from './stale.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * Makes startAttempts: counts one attempt per lease received with countAttempt: false, when a
 * handler really starts on it. Counting the same lease twice counts once. In one transaction the
 * current handles are counted; then, if any handle was stale, a StaleReceiptError names them (the
 * runtime must not start a handler on those: another receive owns them).
 */
export function makeStartAttempts(state: QueueState) {
  const tx = state.db.transaction((entry: QueueEntry, receipts: Array<{ id: number; seq: number }>) =>
    receipts.map((r) => state.stmts.startAttempt.run(r.id, entry.id, r.seq).changes === 1),
  );
  return (queue: string, handles: string[]): void => {
    const entry = state.require(queue);
    if (handles.length === 0) return;
    const receipts = handles.map((h) => parseReceipt(queue, h));
    const counted = tx.immediate(entry, receipts);
    const stale = handles.flatMap((handle, i) => (counted[i] ? [] : [staleReceipt(state, entry, handle, receipts[i]!)]));
    if (stale.length === 0) return;
    if (handles.length === 1) throw stale[0]!;
    throw new StaleReceiptError(
      `${stale.length} of ${handles.length} receipt handles for queue '${queue}' are stale and were not counted (the other ${handles.length - stale.length} were): ${stale.map((e) => e.message).join(' | ')}`,
      { action: 'Do not start handlers on the stale ones; another receive owns them or they are gone.' },
    );
  };
}
