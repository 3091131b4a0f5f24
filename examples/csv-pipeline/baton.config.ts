// Seed 004: half a million transactions from one CSV export through queues, a table and its stream.
//
//   uploads/incoming/*.csv --(object created)--> uploads queue --> clean
//   clean: cleans the CSV in DuckDB over every core, sends the rows in batches --> load queue
//   load queue --> load: writes each row to the transactions table (once, by condition)
//   transactions stream (INSERT) --> route --> process queue --> process --> finished queue
//   finished queue --> update: marks each row processed, once, by condition
//
// Every queue has a dead-letter queue after 3 tries. A row the table refuses (a poison row) is split
// out of its batch into a message of its own, which fails its 3 tries and waits in load-dlq with
// nothing else in it, once: a marker in load-splits (a table with no stream, so it feeds nothing)
// keeps a batch delivered again from splitting the same row twice. Logs say what happened in
// counts; no handler prints an event.
import { app, bucket, fn, queue, table } from 'baton';
import { splitsTable } from './handlers/split.ts';
import { names } from './schema.ts';

const dlq = { deadLetter: { maxReceiveCount: 3 } };
// One worker per function: every stage writes through the one SQLite writer of the embedded
// backend, and on a 2-core machine more threads only wait for it (measured: the same wall time,
// a quarter more CPU). On AWS these would be reserved concurrency settings.

export default app('csv-pipeline', [
  bucket(names.bucket, { notifications: [{ events: ['created'], prefix: 'incoming/', suffix: '.csv', target: { queue: names.uploads } }] }),
  queue(names.uploads, { visibilityTimeout: '1m', ...dlq }),
  queue(names.load, { visibilityTimeout: '2s', ...dlq }),
  queue(names.process, { visibilityTimeout: '2s', ...dlq }),
  queue(names.finished, { visibilityTimeout: '2s', ...dlq }),
  table(names.table, { partitionKey: 'transaction_id', stream: 'NEW_IMAGE' }),
  table(splitsTable, { partitionKey: 'row_id' }),
  fn('clean', './handlers/clean.ts', { timeout: '5m', memory: 2048, triggers: [{ queue: names.uploads, batchSize: 1 }], uses: [`bucket:${names.bucket}`, `queue:${names.load}`] }),
  fn('load', './handlers/load.ts', { timeout: '30s', concurrency: 1, triggers: [{ queue: names.load, batchSize: 10 }], uses: [`table:${names.table}`, `table:${splitsTable}`, `queue:${names.load}`] }),
  fn('route', './handlers/route.ts', { timeout: '30s', triggers: [{ table: names.table, batchSize: 5000, filter: { eventName: ['INSERT'] } }], uses: [`queue:${names.process}`] }),
  fn('process', './handlers/process.ts', { timeout: '30s', concurrency: 1, triggers: [{ queue: names.process, batchSize: 10 }], uses: [`queue:${names.finished}`] }),
  fn('update', './handlers/update.ts', { timeout: '30s', concurrency: 1, triggers: [{ queue: names.finished, batchSize: 10 }], uses: [`table:${names.table}`] }),
]);
