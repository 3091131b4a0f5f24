// A small pipeline on the embedded backend. Order files land in a bucket; their object-created
// events go through a queue to an ordinary Lambda SQS handler that writes each order to a table;
// the table's stream feeds a DynamoDB-stream handler that keeps per-customer totals; a broken file
// fails twice, lands in the dead-letter queue and raises one alarm on a topic; after the fix,
// redrive processes it. A schedule shows EventBridge cron in a time zone.
import { alarm, app, bucket, fn, params, queue, schedule, table, topic } from 'baton';

export default app('quickstart', [
  bucket('uploads', { notifications: [{ events: ['created'], prefix: 'incoming/', suffix: '.json', target: { queue: 'ingest' } }] }),
  queue('ingest', { visibilityTimeout: '1s', deadLetter: { maxReceiveCount: 2 } }),
  table('orders', { partitionKey: 'customer', sortKey: { name: 'id', type: 'number' }, stream: 'NEW_AND_OLD_IMAGES' }),
  table('totals', { partitionKey: 'customer' }),
  fn('ingest-orders', './handlers/ingest-orders.ts', { timeout: '10s', concurrency: 2, triggers: [{ queue: 'ingest', batchSize: 5 }], uses: ['bucket:uploads', 'table:orders'] }),
  fn('keep-totals', './handlers/keep-totals.ts', { timeout: '10s', triggers: [{ table: 'orders', batchSize: 500 }], uses: ['table:totals'] }),
  topic('alerts', { subscribers: [{ file: 'alerts.jsonl' }] }),
  alarm('ingest-dlq-not-empty', { queue: 'ingest', metric: 'deadLettered', threshold: 1, topic: 'alerts', every: '1s' }),
  params('/quickstart', { initial: { 'last-run': 'never' } }),
  schedule('morning-pull', { expression: 'cron(0/20 6-8 * * ? *)', timezone: 'Europe/London', target: { queue: 'ingest' }, input: { kind: 'tick' }, enabled: false }),
]);
