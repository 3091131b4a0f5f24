import { ValidationError } from '../../../core/errors.ts';
import type { BatchResultEntry, SendInput, SendResult } from '../../../ports/queues.ts';
import { failed } from './batch.ts';
import { InsertRows, insertRows } from './enqueue.ts';
import type { QueueEntry, QueueState } from './state.ts';

/** Sends one message (a single INSERT, its own transaction). */
export function send(state: QueueState, queue: string, input: SendInput): SendResult {
  const entry = state.require(queue);
  const rows = new InsertRows();
  const { messageId, delay } = rows.add(entry, input, state.ctx.clock.now());
  insertRows(state, rows);
  if (delay === 0) state.notify(queue);
  return { messageId };
}

/**
 * Makes the sendBatch operation: all entries in one transaction; an entry that fails validation
 * (too large, bad attribute, bad delay) fails alone with its error, and the others are sent.
 * An undeclared queue fails the whole call.
 */
export function makeSendBatch(state: QueueState) {
  const tx = state.db.transaction((entry: QueueEntry, inputs: SendInput[], now: number) => {
    const results: Array<BatchResultEntry<SendResult>> = new Array(inputs.length);
    const rows = new InsertRows();
    let wake = false;
    for (let index = 0; index < inputs.length; index++) {
      try {
        const { messageId, delay } = rows.add(entry, inputs[index]!, now);
        results[index] = { index, ok: true, value: { messageId } };
        wake ||= delay === 0;
      } catch (err) {
        results[index] = failed(index, err);
      }
    }
    if (rows.count > 0) insertRows(state, rows);
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
