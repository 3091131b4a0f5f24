import { ValidationError } from '../../../core/errors.ts';
import type { BatchResultEntry, SendInput, SendResult } from '../../../ports/queues.ts';
import { settle } from './batch.ts';
import { insertMessage, insertRows, messageRow } from './enqueue.ts';
import type { InsertRow } from './rows.ts';
import type { QueueEntry, QueueState } from './state.ts';

/** True when the message becomes visible at once, so long-pollers should be woken. */
function visibleNow(entry: QueueEntry, input: SendInput): boolean {
  return (input?.delayMs ?? entry.config.delayMs) <= 0;
}

/** Sends one message (a single INSERT, its own transaction). */
export function send(state: QueueState, queue: string, input: SendInput): SendResult {
  const entry = state.require(queue);
  const result = insertMessage(state, entry, input, state.ctx.clock.now());
  if (visibleNow(entry, input)) state.notify(queue);
  return result;
}

/**
 * Makes the sendBatch operation: all entries in one transaction; an entry that fails validation
 * (too large, bad attribute, bad delay) fails alone with its error, and the others are sent.
 * An undeclared queue fails the whole call.
 */
export function makeSendBatch(state: QueueState) {
  const tx = state.db.transaction((entry: QueueEntry, inputs: SendInput[], now: number) => {
    const results: Array<BatchResultEntry<SendResult>> = new Array(inputs.length);
    const rows: InsertRow[] = [];
    let wake = false;
    for (let index = 0; index < inputs.length; index++) {
      const input = inputs[index]!;
      const result = settle(index, () => {
        const row = messageRow(entry, input, now);
        rows.push(row);
        return { messageId: row[1] };
      });
      wake ||= result.ok && visibleNow(entry, input);
      results[index] = result;
    }
    insertRows(state, rows);
    return { results, wake };
  });
  return (queue: string, inputs: SendInput[]): Array<BatchResultEntry<SendResult>> => {
    const entry = state.require(queue);
    if (!Array.isArray(inputs)) throw new ValidationError(`Queue '${queue}': sendBatch takes an array of messages.`);
    if (inputs.length === 0) return [];
    const { results, wake } = tx.immediate(entry, inputs, state.ctx.clock.now());
    if (wake) state.notify(queue);
    return results;
  };
}
