import type { SerializedError } from '../../../core/errors.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * Moves one message to its queue's DLQ. Call inside the transaction that decided it, so the move
 * is atomic with that decision. The row keeps its id, attempts, receive count and sent time; it
 * records the queue it came from, its retention restarts in the DLQ, and `lastError` replaces
 * the recorded error (null keeps the one already recorded).
 */
export function moveToDeadLetter(state: QueueState, id: number, source: QueueEntry, dlq: QueueEntry, now: number, lastError: string | null): void {
  state.stmts.deadLetter.run(dlq.id, source.config.name, now, now, lastError, id);
}

/**
 * The error recorded for a message dead-lettered because its last lease expired, when no handler
 * recorded one (so the DLQ still says why the message is there).
 */
export function leaseExpiredError(messageId: string, attempts: number, source: QueueEntry): string {
  const error: SerializedError = {
    name: 'LeaseExpiredError',
    code: 'LEASE_EXPIRED',
    message: `Message ${messageId} in queue '${source.config.name}' used ${attempts} attempt(s); its last lease expired without a delete or release (the handler crashed, or ran longer than the visibility timeout).`,
    action: 'Make the handler finish within the visibility timeout, extend it with changeVisibility while it works, or raise visibilityTimeoutMs.',
  };
  return JSON.stringify(error);
}
