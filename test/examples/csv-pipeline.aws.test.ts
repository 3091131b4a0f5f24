/**
 * The csv-pipeline (seed 004) on the aws backend: its demo against the AWS-protocol servers the
 * test setup started on 127.0.0.1 (S3, SQS on fauxqs; DynamoDB and Streams on DynamoDB Local),
 * with a fresh prefix. The demo makes the same checks as on local, except where SQS cannot give
 * what local does (said in the demo's own check).
 *
 * The emulator's gap, not Baton's: fauxqs does not deliver S3 notifications to SQS. The hop from
 * the upload to the uploads queue is covered by test/helpers/s3-notifications-emulated.ts, which
 * sends the exact S3 event message S3 would send for the demo's upload.
 *
 * No SSM runs here, and none is needed: the app has no params, and the engine's work leases (one
 * per stream consumer and for bucket events) and its registry are items of the DynamoDB table
 * `<prefix>baton-leases` (runtime/lease/table.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../../examples/csv-pipeline/baton.config.ts';
import demo from '../../examples/csv-pipeline/demo.ts';
import { dynamoSkipReason } from '../helpers/aws.ts';
import { runDemoOnAws } from '../helpers/s3-notifications-emulated.ts';

// The AWS SDK warns on Node 20 in every worker thread; the demo would count that warning (a long
// stderr line in every run's log) as a log line that dumps too much. Node 20 is the Node fauxqs
// 1.9.2 runs on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const dir = mkdtempSync(join(tmpdir(), 'baton-csv-pipeline-aws-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(dynamoSkipReason())(`examples/csv-pipeline on aws (fauxqs + DynamoDB Local)${dynamoSkipReason() ? `: skipped, ${dynamoSkipReason()}` : ''}`, () => {
  it('cleans, loads, streams, processes and updates every clean row exactly once; poison rows wait alone in the DLQ; logs hold no event', async () => {
    const { result, lines, prefix, sent } = await runDemoOnAws(demo, config.buckets, dir);
    for (const l of lines) console.log(l);
    expect(result.failures).toEqual([]);
    expect(result.summary).toMatch(/^\d+ rows: \d+ processed exactly once, \d+ rejected, \d+ poison in the DLQ, [\d.]+ s$/);
    expect(sent).toEqual([{ queue: 'uploads', bucket: `${prefix}uploads`, key: 'incoming/transactions-2021-07-16.csv', eventName: 'ObjectCreated:Put', configurationId: 'notification-1' }]);
    expect(lines.some((l) => /none with an event$/.test(l))).toBe(true);
  }, 300_000);
});
