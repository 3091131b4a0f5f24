import { createHash, randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import type { QueueStore, TableStore } from 'baton/handler';
import type { Transaction } from '../schema.ts';

// Splitting a refused row out of its batch, once per row however often the batch is delivered.
//
// A marker item in the load-splits table, keyed by a hash of the row's transaction id (a poison id
// is longer than a key may be), says how far the split got: 'sending' under a token, then 'sent'.
// The split message carries the row id and the token as message attributes.
//
//   the batch's load step                     marker               the split message's load step
//   1. no marker: put 'sending' T (if absent)  sending T
//      'sending' S: set token T (if still S)   sending T
//      'sent': nothing to do, the row is out
//   2. send [row] with attributes (id, T)
//   3. set 'sent' (if the token is still T)    sent T
//                                                                  refused again: if the marker is
//                                                                  'sent' under another token, this
//                                                                  is a copy: drop it; else claim
//                                                                  the row ('sent', its own token)
//                                                                  and fail, to dead-letter alone
//
// Every step is a conditional write, so whatever dies where, no row is lost and one message per
// row dead-letters: a crash after 1 leaves 'sending' and the next delivery of the batch sends; a
// crash after 2 leaves 'sending' and the next delivery sends a second copy under a new token, and
// whichever copy is tried first (or was marked sent) owns the row, the other is dropped. A later
// batch holding the same row (the clean step run again) finds 'sent' and sends nothing. The
// attributes survive a redrive from the DLQ, so a redriven message still owns its row.
//
// load-splits has no stream, so nothing here feeds the transactions stream that drives processing.

/** The table of split markers (declared in baton.config.ts). */
export const splitsTable = 'load-splits';
/** Message attributes of a split message: the row's id and the token it was sent under. */
export const splitAttributes = { row: 'split_row', token: 'split_token' } as const;

interface Marker {
  row_id: string;
  state: 'sending' | 'sent';
  token: string;
  /** The message the row was split out of (for whoever looks). */
  source: string;
}

/** The marker's key for a row: its transaction id may be longer than a key may be, its hash is not. */
export function rowId(transactionId: string): string {
  return createHash('sha256').update(transactionId, 'utf8').digest('hex');
}

function conditionFailed(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'CONDITION_FAILED';
}

/** Conditional writes that lose a race read the marker again; this many rounds is far more than two writers need. */
const rounds = 5;

/**
 * Sends `row` alone to `queue`, unless it was split out before (by this batch delivered earlier,
 * or by another batch holding the same row). Returns true when it sent.
 */
export async function splitOut(tables: TableStore, queues: QueueStore, queue: string, row: Transaction, source: string): Promise<boolean> {
  const key = { row_id: rowId(row.transaction_id) };
  for (let i = 0; i < rounds; i++) {
    const marker = (await tables.get(splitsTable, key)) as Marker | undefined;
    if (marker?.state === 'sent') return false;
    const token = randomUUID();
    try {
      if (marker) await tables.update(splitsTable, key, { set: { token, source }, condition: { equals: { state: 'sending', token: marker.token } } });
      else await tables.put(splitsTable, { ...key, state: 'sending', token, source }, { condition: { notExists: true } });
    } catch (err) {
      if (conditionFailed(err)) continue;
      throw err;
    }
    await queues.send(queue, { body: JSON.stringify([row]), attributes: { [splitAttributes.row]: key.row_id, [splitAttributes.token]: token } });
    try {
      await tables.update(splitsTable, key, { set: { state: 'sent' }, condition: { equals: { token } } });
    } catch (err) {
      // The copy already sent under an earlier token was tried first and claimed the row: this one will be dropped.
      if (!conditionFailed(err)) throw err;
    }
    return true;
  }
  throw new Error(`could not split a refused row out of message ${source}: its marker kept changing`);
}

/**
 * For a message of one row that the table refused: true when it is a copy of a split message that
 * another one owns (drop it); false when it is the row's split message (it claims the row if no
 * copy was marked sent yet) or not a split message at all (fail it as usual).
 */
export async function isSplitCopy(tables: TableStore, record: SQSRecord): Promise<boolean> {
  const id = record.messageAttributes?.[splitAttributes.row]?.stringValue;
  const token = record.messageAttributes?.[splitAttributes.token]?.stringValue;
  if (!id || !token) return false;
  const key = { row_id: id };
  for (let i = 0; i < rounds; i++) {
    const marker = (await tables.get(splitsTable, key)) as Marker | undefined;
    if (!marker) return false;
    if (marker.state === 'sent') return marker.token !== token;
    try {
      await tables.update(splitsTable, key, { set: { state: 'sent', token }, condition: { equals: { state: 'sending', token: marker.token } } });
      return false;
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }
  throw new Error(`message ${record.messageId}: could not tell whether it owns its row: its marker kept changing`);
}
