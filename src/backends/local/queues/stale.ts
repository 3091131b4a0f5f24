import { StaleReceiptError } from '../../../core/errors.ts';
import type { Receipt } from './receipt.ts';
import type { QueueEntry, QueueState } from './state.ts';

/**
 * Explains why a receipt handle no longer holds its message. Only called on the slow path, after
 * the fenced write (which checks id, queue and lease token in one statement) changed nothing.
 */
export function staleReceipt(state: QueueState, entry: QueueEntry, handle: string, receipt: Receipt): StaleReceiptError {
  const queue = entry.config.name;
  const where = `Receipt handle '${handle}' for queue '${queue}' is stale:`;
  const row = state.stmts.lease.get(receipt.id);
  if (!row) {
    return new StaleReceiptError(`${where} the message no longer exists; it was already deleted (by this consumer or another), purged, or expired past the queue's retention.`, {
      action: 'Drop this handle: there is nothing left to delete, extend or release.',
    });
  }
  const id = state.messageIds.of(receipt.id, row.message_id);
  if (row.queue_id !== entry.id) {
    const other = state.findById(row.queue_id)?.config.name ?? `#${row.queue_id}`;
    if (row.source_queue === queue) {
      return new StaleReceiptError(`${where} message ${id} was moved to the dead-letter queue '${other}' after ${row.attempts} attempt(s).`, {
        action: `Inspect it in '${other}' and redrive it once the cause is fixed.`,
      });
    }
    return new StaleReceiptError(`${where} message ${id} is in queue '${other}', not in '${queue}'.`, { action: `Pass the queue the message was received from.` });
  }
  if (row.lease_seq > receipt.seq) {
    return new StaleReceiptError(`${where} message ${id} was received again after this lease's visibility timeout passed, so a newer receive holds it now.`, {
      action: 'The handler outlived its visibility timeout: extend it with changeVisibility while working (a heartbeat) or raise visibilityTimeoutMs.',
    });
  }
  if (row.lease_seq < receipt.seq) {
    return new StaleReceiptError(`${where} no receive of message ${id} issued it.`, { action: 'Pass the receiptHandle exactly as receive returned it.' });
  }
  return new StaleReceiptError(`${where} its lease on message ${id} already ended (the message was released, or dead-lettered and redriven) and the message waits to be received again.`, {
    action: 'Receive the message again to work on it.',
  });
}
