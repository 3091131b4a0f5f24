import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { connect } from 'baton/handler';
import { names, type Transaction } from '../schema.ts';
import { isSplitCopy, splitOut } from './split.ts';

// The seed's load step: each message holds a batch of clean rows; each row is written to the table
// with the condition that it is not there yet, so a message delivered twice (at-least-once) writes
// nothing twice and the stream sees each row's INSERT once. A row the table refuses does not hold
// its neighbours back: the first time, it is split out into a message of its own (and the rest of
// the batch counts as done); a message of one row that fails is reported, retried, and after its
// third try lands in the DLQ alone, where the reason is easy to find and redrive can resend it.
// The split happens once per row, however often the batch is delivered: a marker in the
// load-splits table records it before and after the send (split.ts says how, and what a crash
// between the steps leaves), and a second copy of a split message is dropped instead of failed.
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { tables, queues } = connect();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  let loaded = 0;
  let already = 0;
  let split = 0;
  let splitBefore = 0;
  let copies = 0;
  for (const record of event.Records) {
    const rows = JSON.parse(record.body) as Transaction[];
    const refused: Array<{ row: Transaction; reason: string }> = [];
    // Chunks of 25 (the batch write limit), sent at once as one would to DynamoDB.
    const chunks: Transaction[][] = [];
    for (let i = 0; i < rows.length; i += 25) chunks.push(rows.slice(i, i + 25));
    const written = await Promise.all(chunks.map((chunk) => tables.batchWrite(names.table, chunk.map((row) => ({ put: { ...row, stage: 'loaded' }, condition: { notExists: true } })))));
    written.forEach((results, c) => {
      for (const r of results) {
        if (r.ok) loaded++;
        else if (r.error?.code === 'CONDITION_FAILED') already++;
        else refused.push({ row: chunks[c]![r.index]!, reason: r.error?.message ?? 'refused' });
      }
    });
    if (refused.length === 0) continue;
    if (rows.length > 1) {
      for (const { row } of refused) {
        if (await splitOut(tables, queues, names.load, row, record.messageId)) split++;
        else splitBefore++;
      }
    } else if (await isSplitCopy(tables, record)) {
      console.log(`message ${record.messageId}: a second copy of a row split out before, dropped`);
      copies++;
    } else {
      console.error(`message ${record.messageId}: row refused (try ${record.attributes.ApproximateReceiveCount}): ${refused[0]!.reason.slice(0, 200)}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  console.log(`loaded ${loaded} rows, ${already} already loaded, ${split} split out, ${splitBefore} split out before, ${copies} copies dropped, ${batchItemFailures.length} messages failed`);
  return { batchItemFailures };
};
