import type { BatchResultEntry } from '../../../ports/queues.ts';
import { settleEach } from '../../shared/queues/batch.ts';
import { parseReceipt } from './receipt.ts';
import { staleReceipt } from './stale.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * Makes handBack (ports/queues.ts): in one transaction, each current lease's message is made
 * visible now with its lease kept (the handle works until the next receive, as after
 * changeVisibility(0)) and the attempt that lease counted, if it did (lease_state 2), taken back:
 * the caller says no handler started on it. A stale or malformed handle fails alone.
 */
export function makeHandBack(state: QueueState) {
  const tx = state.db.transaction((entry: QueueEntry, handles: string[], now: number) =>
    settleEach(handles, (handle) => {
      const receipt = parseReceipt(entry.config.name, handle);
      if (state.stmts.handBack.run(now, receipt.id, entry.id, receipt.seq).changes === 0) throw staleReceipt(state, entry, handle, receipt);
    }),
  );
  return (queue: string, handles: string[]): Array<BatchResultEntry<void>> => {
    const entry = state.require(queue);
    if (handles.length === 0) return [];
    const results = tx.immediate(entry, handles, state.ctx.clock.now());
    if (results.some((r) => r.ok)) state.notify(queue);
    return results;
  };
}
