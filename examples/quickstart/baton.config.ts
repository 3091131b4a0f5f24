// A small pipeline on the embedded backend: order files land in a bucket, their object-created
// events go through a queue, orders are written to a table whose stream feeds running totals, a
// checkpoint lives in the parameter store, and a topic raises an alert when the DLQ fills.
import { app, bucket, params, queue, schedule, table, topic } from 'baton';

export default app('quickstart', [
  bucket('uploads', { notifications: [{ events: ['created'], prefix: 'incoming/', suffix: '.json', queue: 'ingest' }] }),
  queue('ingest', { visibilityTimeout: '30s', deadLetter: { maxReceiveCount: 2 } }),
  table('orders', { partitionKey: 'customer', sortKey: { name: 'id', type: 'number' }, stream: 'NEW_AND_OLD_IMAGES' }),
  params('/quickstart', { initial: { 'totals/position': '0' } }),
  topic('alerts', { subscribers: [{ file: 'alerts.jsonl' }] }),
  schedule('morning-pull', { expression: 'cron(0/20 6-8 * * ? *)', timezone: 'Europe/London', target: { queue: 'ingest' }, input: { kind: 'tick' } }),
]);
