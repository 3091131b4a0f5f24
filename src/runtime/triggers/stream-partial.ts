/**
 * A stream batch's partial response (Lambda's ReportBatchItemFailures for DynamoDB streams): the
 * handler returns `{ batchItemFailures: [{ itemIdentifier: record.dynamodb.SequenceNumber }] }`, as
 * Powertools' batch processor builds it. As Lambda:
 *
 *   no response, no or a null or an empty list    the batch succeeded
 *   an identifier that is not a sequence number    the whole batch failed (retried whole, bisected
 *   of the batch (empty, null, another key)        when the trigger bisects)
 *   otherwise                                      the records before the lowest failed sequence
 *                                                  number are done; that record and every one after
 *                                                  it are retried
 */
import type { RunError } from '../../ports/runs.ts';
import type { StreamRecord } from '../../ports/tables.ts';
import { sequenceNumber } from './events/dynamodb.ts';
import { batchItemFailures } from './events/sqs.ts';

export type StreamResponse =
  | { kind: 'ok' }
  | { kind: 'whole'; reason: string }
  /** `from`: the index of the lowest failed record; `failed`: the sequence numbers the handler named. */
  | { kind: 'partial'; from: number; failed: string[] };

export function streamResponse(result: unknown, records: readonly StreamRecord[]): StreamResponse {
  const sequences = records.map((r) => sequenceNumber(r.sequence));
  const reported = batchItemFailures(result, () => new Set(sequences), 'sequence number');
  if ('wholeBatch' in reported) return { kind: 'whole', reason: reported.wholeBatch };
  if (reported.failed.size === 0) return { kind: 'ok' };
  const from = sequences.findIndex((s) => reported.failed.has(s));
  return { kind: 'partial', from, failed: sequences.filter((s) => reported.failed.has(s)) };
}

/** How a run whose handler returned a failing response is recorded: which records failed, and what happens next. */
export function streamResponseError(response: StreamResponse, records: readonly StreamRecord[]): RunError | undefined {
  if (response.kind === 'ok') return undefined;
  if (response.kind === 'whole') {
    return { type: 'BatchItemFailures', message: `Invalid partial batch response (${response.reason}): the whole batch of ${records.length} records is retried, as Lambda does.` };
  }
  const first = sequenceNumber(records[response.from]!.sequence);
  const shown = response.failed.slice(0, 20).join(', ') + (response.failed.length > 20 ? `, … (${response.failed.length - 20} more)` : '');
  return {
    type: 'BatchItemFailures',
    message: `${response.failed.length} of ${records.length} records reported in batchItemFailures (sequence numbers ${shown}); the ${response.from} before ${first} are done, the ${records.length - response.from} from ${first} on are retried.`,
  };
}
