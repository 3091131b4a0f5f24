import { defaults } from '../../../core/defaults.ts';
import { ValidationError, show } from '../../../core/errors.ts';
import { parseReceipt } from './receipt.ts';
import { staleReceipt } from './stale.ts';
import type { QueueState } from './state.ts';

/**
 * Sets a leased message's visibility to now + ms: a heartbeat that keeps the lease, or 0 to make the
 * message visible at once (the lease's handle stays valid until someone receives it again).
 */
export function changeVisibility(state: QueueState, queue: string, handle: string, ms: number): void {
  const entry = state.require(queue);
  const max = defaults.queue.maxVisibilityTimeoutMs;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > max) {
    throw new ValidationError(`Queue '${queue}': visibility timeout ${show(ms)} is out of range; it must be a whole number of milliseconds from 0 to ${max} (12h).`);
  }
  const receipt = parseReceipt(queue, handle);
  if (state.stmts.extendLeased.run(state.ctx.clock.now() + ms, receipt.id, entry.id, receipt.seq).changes === 0) {
    throw staleReceipt(state, entry, handle, receipt);
  }
  if (ms === 0) state.notify(queue);
}
