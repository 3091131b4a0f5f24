// Seed 002, the recursive relay. A report put under reports/ invokes run-etl (object-created event
// -> function, an async invoke as S3 does), which starts a long job on an external ETL service and
// polls it; when its 1 s limit is nearly up it relays itself through the 'relay' topic (an async
// invoke of run-etl with its state in the event) until the job completes or its retries budget is
// spent; either way one notification goes to the 'notifications' topic and its file outbox. The ETL
// service's address is the function's env (the demo points it at its mock server). No credentials.
import { app, bucket, fn, table, topic } from 'baton';

export default app('relay-poller', [
  bucket('reports', { notifications: [{ events: ['created'], prefix: 'reports/', suffix: '.json', target: { fn: 'run-etl' } }] }),
  fn('run-etl', './handlers/run-etl.ts', {
    timeout: '1s',
    concurrency: 4,
    env: { ETL_URL: 'http://127.0.0.1:8080', MAX_RETRIES: '20', TIMEOUT_MARGIN_MS: '300', POLL_INTERVAL_MS: '100' },
    // A link that still fails after Lambda's two async retries ends its chain with a notification.
    onFailure: { topic: 'notifications' },
    // What the handler reaches through connect(): granted on AWS, nothing more.
    uses: ['bucket:reports', 'table:relay-links', 'topic:relay', 'topic:notifications'],
  }),
  // One record per link of each chain, so a repeated event or relay cannot fork a chain.
  table('relay-links', { partitionKey: 'link' }),
  topic('relay', { subscribers: [{ fn: 'run-etl' }] }),
  topic('notifications', { subscribers: [{ file: 'notifications.jsonl' }] }),
]);
