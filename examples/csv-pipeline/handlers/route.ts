import type { DynamoDBStreamEvent } from 'aws-lambda';
import { connect, unmarshall } from 'baton/handler';
import { names, rowsPerMessage } from '../schema.ts';

// The seed's stream step: new transactions (INSERT records) go on to the process queue, 400 to a
// message; other changes (the update step's MODIFY records) are not new work. If this fails after
// sending part of the batch, the stream hands the whole batch again: rows may reach the process
// queue twice, which the update step's condition makes harmless.
export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  const { queues } = connect();
  const rows = [];
  for (const r of event.Records) if (r.eventName === 'INSERT' && r.dynamodb?.NewImage) rows.push(unmarshall(r.dynamodb.NewImage as never));
  const bodies = [];
  for (let i = 0; i < rows.length; i += rowsPerMessage) bodies.push({ body: JSON.stringify(rows.slice(i, i + rowsPerMessage)) });
  for (let i = 0; i < bodies.length; i += 10) {
    const sent = await queues.sendBatch(names.process, bodies.slice(i, i + 10));
    const failed = sent.find((s) => !s.ok);
    if (failed) throw new Error(`sending to ${names.process}: ${failed.error?.message}`);
  }
  console.log(`${event.Records.length} stream records, ${rows.length} new transactions to ${names.process}`);
};
