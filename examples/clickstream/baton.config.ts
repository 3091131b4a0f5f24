// Seed 003, a streaming clickstream lake. Events are posted to a firehose that buffers them into
// gzip JSON-lines objects (one about every 5 minutes) under raw/; each object-created event goes
// through a queue to a standardize function (an ordinary Lambda SQS handler) that validates every
// event against the schema in schema.ts and writes Parquet to the staging/ prefix, rejected events
// with their reasons to rejected/. A file it cannot process fails twice and lands in the DLQ, whose
// alarm notifies the alerts topic (a file outbox); after the fix (the param switch), redrive
// processes it. At :20 past every hour a schedule runs the compaction, which merges the previous
// hour's staged files into one dt=/hour= Parquet file registered in the catalog, and appends late
// files to hours already compacted, exactly once.
import { alarm, app, bucket, firehose, fn, params, queue, schedule, topic } from 'baton';

export default app('clickstream', [
  firehose('clicks', { destination: { bucket: 'lake', prefix: 'raw/' }, buffer: { interval: '300s' } }),
  bucket('lake', { notifications: [{ events: ['created'], prefix: 'raw/', suffix: '.jsonl.gz', target: { queue: 'raw-files' } }] }),
  queue('raw-files', { visibilityTimeout: '30s', deadLetter: { maxReceiveCount: 2 } }),
  fn('standardize', './handlers/standardize.ts', { timeout: '30s', concurrency: 1, triggers: [{ queue: 'raw-files', batchSize: 1 }], uses: ['bucket:lake', 'params:/clickstream'] }),
  fn('compact-hourly', './handlers/compact-hourly.ts', { timeout: '60s', uses: ['bucket:lake'] }),
  schedule('hourly-compaction', { expression: 'cron(20 * * * ? *)', target: { fn: 'compact-hourly' } }),
  topic('alerts', { subscribers: [{ file: 'alerts.jsonl' }] }),
  alarm('raw-files-dlq-not-empty', { queue: 'raw-files', metric: 'deadLettered', threshold: 1, topic: 'alerts', every: '1m' }),
  params('/clickstream', { initial: { 'accept-legacy-v1': 'off' } }),
]);
