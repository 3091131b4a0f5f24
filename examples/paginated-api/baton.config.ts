// Seed 000: pulling a paginated API past the function time limit.
//
// A schedule fires `pull-elements` every 20 minutes from 06:00 to 08:40. The function has a short
// time limit (3 s here, 15 min on Lambda): it fetches pages while it has time left, writes each
// page to the bucket as JSON and as XML, and keeps its cursor (the count of elements done) in the
// parameter store, so the next tick resumes where it stopped. When the last page is in, it writes
// the day's manifest, records the day in `done-on` and resets the cursor to 0; later ticks that
// day make no API calls. The manifest's object-created event goes through a queue to
// `load-elements`, which loads the day's JSON pages into the `elements` table of the data catalog,
// where SQL can query it (`baton query`).
import { app, bucket, fn, params, queue, schedule } from 'baton';

export default app('paginated-api', [
  bucket('api-raw', { notifications: [{ events: ['created'], suffix: '_manifest.json', target: { queue: 'loads' } }] }),
  queue('loads', { visibilityTimeout: '30s', deadLetter: { maxReceiveCount: 3 } }),
  params('/paginated-api', {
    initial: {
      // Set by whoever deploys the app (the demo sets it to its mock API's address).
      'api-url': 'http://127.0.0.1:9/unset',
      cursor: '0',
      'cursor-day': 'none',
      'done-on': 'none',
    },
  }),
  fn('pull-elements', './handlers/pull-elements.ts', {
    timeout: '3s',
    concurrency: 1,
    retries: 0,
    uses: ['bucket:api-raw', 'params:/paginated-api'],
    env: { BUCKET: 'api-raw', PARAMS: '/paginated-api', WINDOW: '06:00-09:00', TIME_ZONE: 'UTC', STOP_MARGIN_MS: '1000' },
  }),
  schedule('morning-pull', { expression: 'cron(0/20 6-8 * * ? *)', timezone: 'UTC', target: { fn: 'pull-elements' } }),
  fn('load-elements', './handlers/load-elements.ts', { timeout: '60s', concurrency: 1, triggers: [{ queue: 'loads', batchSize: 1 }], uses: ['bucket:api-raw'] }),
]);
