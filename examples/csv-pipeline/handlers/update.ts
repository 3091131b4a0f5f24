import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { connect } from 'baton/handler';
import { names, type Processed } from '../schema.ts';

// The seed's update step: writes what processing found into each transaction and marks it
// processed, on the condition that it is still 'loaded'. A result delivered twice fails the
// condition and changes nothing, so every transaction is updated exactly once (`updates` = 1).
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { tables } = connect();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  let updated = 0;
  let duplicates = 0;
  for (const record of event.Records) {
    const results = JSON.parse(record.body) as Processed[];
    let failed = false;
    const chunks = [];
    for (let i = 0; i < results.length; i += 25) {
      chunks.push(
        results.slice(i, i + 25).map(({ transaction_id, ...found }) => ({
          update: { transaction_id },
          set: { ...found, stage: 'processed' },
          add: { updates: 1 },
          condition: { equals: { stage: 'loaded' } },
        })),
      );
    }
    // Sent at once, as one would to DynamoDB.
    for (const written of await Promise.all(chunks.map((writes) => tables.batchWrite(names.table, writes)))) {
      for (const r of written) {
        if (r.ok) updated++;
        else if (r.error?.code === 'CONDITION_FAILED') duplicates++;
        else failed = true;
      }
    }
    if (failed) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  console.log(`updated ${updated} transactions, ${duplicates} duplicate results skipped, ${batchItemFailures.length} messages failed`);
  return { batchItemFailures };
};
