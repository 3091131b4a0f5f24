/**
 * The quickstart on the aws backend: its demo, at its test size, against the AWS-protocol servers
 * the test setup started on 127.0.0.1 (S3, SQS, SNS on fauxqs; DynamoDB and Streams on DynamoDB
 * Local), with a fresh prefix. The demo makes the same checks as on local, except the one SQS
 * cannot give (a dead-lettered message keeps no last error: the demo checks its source queue).
 *
 * The emulator's gap, not Baton's: fauxqs does not deliver S3 notifications to SQS. The hop from
 * an upload to the ingest queue is covered by test/helpers/s3-notifications-emulated.ts, which
 * sends the exact S3 event message S3 would send for each of the demo's uploads.
 *
 * SSM has no server to run here: the app's one parameter (/quickstart/last-run) is provisioned into
 * the in-memory SSM of test/helpers/ssm-mock.ts (aws-sdk-client-mock, this process only); no
 * handler reads params.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import demo from '../../examples/quickstart/demo.ts';
import config from '../../examples/quickstart/baton.config.ts';
import { dynamoSkipReason } from '../helpers/aws.ts';
import { runDemoOnAws } from '../helpers/s3-notifications-emulated.ts';
import { SsmMock } from '../helpers/ssm-mock.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-quickstart-aws-'));
const ssm = new SsmMock(systemClock);
afterAll(() => {
  ssm.restore();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(dynamoSkipReason())(`examples/quickstart on aws (fauxqs + DynamoDB Local)${dynamoSkipReason() ? `: skipped, ${dynamoSkipReason()}` : ''}`, () => {
  it('uploads order files, writes and totals every order once, dead-letters the broken file with one alarm in the file subscriber, and recovers after the fix and redrive', async () => {
    const { result, lines, prefix, sent } = await runDemoOnAws(demo, config.buckets, dir);
    expect(result.failures).toEqual([]);
    expect(result.summary).toMatch(/^101 orders, totals 505, 1 dead-lettered and redriven, 2 alerts$/);
    // 4 order files, the broken one and its fix: one S3 message each; notes/readme.txt matches no rule.
    expect(sent.map((s) => s.key)).toEqual(['incoming/day 1/orders-0.json', 'incoming/day 1/orders-1.json', 'incoming/day 1/orders-2.json', 'incoming/day 1/orders-3.json', 'incoming/day 1/broken.json', 'incoming/day 1/broken.json']);
    expect(sent.every((s) => s.bucket === `${prefix}uploads` && s.queue === 'ingest' && s.configurationId === 'notification-1')).toBe(true);
    expect(lines.some((l) => /no last error: SQS keeps none/.test(l))).toBe(true);
    expect(ssm.stored('/quickstart/last-run')?.[0]?.value).toBe('never');
  }, 120_000);
});
