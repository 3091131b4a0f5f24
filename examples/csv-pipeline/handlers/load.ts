import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { connect } from 'baton/handler';
import { names, type Transaction } from '../schema.ts';

// The seed's load step: each message holds a batch of clean rows; each row is written to the table
// with the condition that it is not there yet, so a message delivered twice (at-least-once) writes
// nothing twice and the stream sees each row's INSERT once. A row the table refuses does not hold
// its neighbours back: the first time, it is split out into a message of its own (and the rest of
// the batch counts as done); a message of one row that fails is reported, retried, and after its
// third try lands in the DLQ alone, where the reason is easy to find and redrive can resend it.
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { tables, queues } = connect();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  let loaded = 0;
  let already = 0;
  let split = 0;
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
      for (let i = 0; i < refused.length; i += 10) {
        const sent = await queues.sendBatch(names.load, refused.slice(i, i + 10).map(({ row }) => ({ body: JSON.stringify([row]) })));
        if (sent.some((s) => !s.ok)) throw new Error(`could not split refused rows out of message ${record.messageId}`);
      }
      split += refused.length;
    } else {
      console.error(`message ${record.messageId}: row refused (try ${record.attributes.ApproximateReceiveCount}): ${refused[0]!.reason.slice(0, 200)}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  console.log(`loaded ${loaded} rows, ${already} already loaded, ${split} split out, ${batchItemFailures.length} messages failed`);
  return { batchItemFailures };
};
