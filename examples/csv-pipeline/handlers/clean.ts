import type { S3Event, SQSEvent } from 'aws-lambda';
import { csvJsonBatches, type CsvCounts } from 'baton/data';
import { connect } from 'baton/handler';
import { names, rowsPerMessage, transaction } from '../schema.ts';

// The seed's clean step. The seed forked ~500 processes to clean in parallel; here DuckDB reads and
// cleans the file on every core in one pass (trim, control and invisible characters stripped, empty
// to null, coerced to the schema), rows it cannot use go to rejected/ with their line numbers and
// reasons, and the clean rows go to the load queue, 400 to a message and 10 messages to a call,
// as the pass gives them (csvJsonBatches streams the file: no table of every row; the rejected rows and
// the counts come at the end). If this function dies half way, its message comes back and the file is cleaned again: the load
// step writes each row only once, so the rows sent twice change nothing.
export const handler = async (event: SQSEvent): Promise<void> => {
  const { objects, queues } = connect();
  for (const record of event.Records) {
    const s3 = JSON.parse(record.body) as S3Event;
    for (const r of s3.Records ?? []) {
      const bucket = r.s3.bucket.name;
      const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
      let counts: CsvCounts | undefined;
      let messages = 0;
      let pending: Array<{ body: string }> = [];
      const flush = async () => {
        const results = await queues.sendBatch(names.load, pending);
        const failed = results.find((x) => !x.ok);
        if (failed) throw new Error(`sending rows of ${key} to ${names.load}: ${failed.error?.message}`);
        messages += pending.length;
        pending = [];
      };
      // Each row comes as its JSON text (DuckDB writes it on its threads): a message is the batch's
      // texts joined, with no row objects built to be stringified again.
      const batches = csvJsonBatches(objects, {
        source: { bucket, key },
        rejected: { bucket, key: `rejected/${key.replace(/^incoming\//, '')}.jsonl` },
        schema: transaction,
        cleaning: { strip: '\u00a0\u200b\ufeff' },
        batchSize: rowsPerMessage,
        onCounts: (c) => (counts = c),
      });
      for await (const rows of batches) {
        pending.push({ body: `[${rows.join(',')}]` });
        if (pending.length === 10) await flush();
      }
      if (pending.length > 0) await flush();
      console.log(`${key}: ${counts?.read} rows read, ${counts?.valid} clean, ${counts?.rejected} rejected; ${messages} messages to ${names.load}`);
    }
  }
};
