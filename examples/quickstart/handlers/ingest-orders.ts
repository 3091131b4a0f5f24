import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { connect } from 'baton/handler';

interface Order {
  customer: string;
  id: number;
  amount: number;
}

// An SQS handler as AWS documents it: each message is an S3 event; a record that fails is
// reported in batchItemFailures so only it comes back.
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { objects, tables } = connect();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const s3 = JSON.parse(record.body) as S3Event;
      for (const r of s3.Records ?? []) {
        const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
        const { body } = await objects.get(r.s3.bucket.name, key);
        const orders = JSON.parse(body.toString('utf8')) as Order[];
        for (let i = 0; i < orders.length; i += 25) {
          const results = await tables.batchWrite('orders', orders.slice(i, i + 25).map((o) => ({ put: { ...o } })));
          const failed = results.find((x) => !x.ok);
          if (failed) throw new Error(`order ${i + failed.index} of ${key}: ${failed.error?.message}`);
        }
        console.log(`wrote ${orders.length} orders from ${key}`);
      }
    } catch (err) {
      console.error(`message ${record.messageId} failed: ${(err as Error).message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
