import { ValidationError } from '../../../core/errors.ts';
import type { BatchResultEntry, SendInput, SendResult } from '../../../ports/queues.ts';
import { failed } from '../../shared/queues/batch.ts';
import { InsertRows, insertRows } from './enqueue.ts';
import type { QueueEntry, QueueState } from './state.ts';

const sendTxs = new WeakMap<QueueState, (rows: InsertRows) => number>();

/** insertRows in an IMMEDIATE transaction of its own (a savepoint inside the caller's). */
function sendTx(state: QueueState) {
  let tx = sendTxs.get(state);
  if (!tx) {
    tx = state.db.transaction((rows: InsertRows) => insertRows(state, rows)).immediate;
    sendTxs.set(state, tx);
  }
  return tx;
}

/**
 * Sends one message: a single INSERT, its own transaction; a long body (enqueue.ts inlineBodyMax)
 * is a second INSERT, so then both go in one IMMEDIATE transaction. Whether the body is long is
 * read from the validated row (the body as it will be stored), not from the input again.
 */
export function send(state: QueueState, queue: string, input: SendInput): SendResult {
  const rows = new InsertRows(state.require(queue), state.ctx.clock.now());
  const delay = rows.add(input);
  const first = rows.bodies.length > 0 ? sendTx(state)(rows) : insertRows(state, rows);
  if (delay === 0) state.notify(queue);
  return { messageId: state.messageIds.of(first) };
}

/**
 * Makes the sendBatch operation: all entries in one transaction; an entry that fails validation
 * (too large, bad attribute, bad delay) fails alone with its error, and the others are sent.
 * An undeclared queue fails the whole call.
 */
export function makeSendBatch(state: QueueState) {
  const tx = state.db.transaction((entry: QueueEntry, inputs: SendInput[], now: number) => {
    const results: Array<BatchResultEntry<SendResult>> = new Array(inputs.length);
    const rows = new InsertRows(entry, now);
    const sent: number[] = [];
    let wake = false;
    for (let index = 0; index < inputs.length; index++) {
      try {
        wake = rows.add(inputs[index]!) === 0 || wake;
        sent.push(index);
      } catch (err) {
        results[index] = failed(index, err);
      }
    }
    if (rows.count > 0) {
      const first = insertRows(state, rows);
      for (let i = 0; i < sent.length; i++) {
        const index = sent[i]!;
        results[index] = { index, ok: true, value: { messageId: state.messageIds.of(first + i) } };
      }
    }
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
