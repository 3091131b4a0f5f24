/**
 * The dev loop's commands (issue 12): sample events and invoke --trigger (built by the triggers' own
 * builders), a schedule's target invoked with no event, runs with their result, tables
 * put/delete/scan, and duration flags that take the definitions' strings.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DynamoDBStreamEvent, S3Event, ScheduledEvent, SNSEvent, SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, scheduledDefault, triggerEvent } from '../../src/cli/dev-events.ts';
import { durationFlag } from '../../src/cli/flags.ts';
import type { BucketResource } from '../../src/core/resources/bucket.ts';
import { app, fn, queue, schedule, table, topic } from '../../src/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-cmds-'));
const run = promisify(execFile);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = app('events', [
  queue('jobs'),
  queue('uploads-q'),
  // The resolved rules (a queue by name, a function as 'fn:<name>'), whatever the definition's syntax.
  { kind: 'bucket', name: 'uploads', config: { name: 'uploads', notifications: [{ events: ['created'], prefix: 'in/', suffix: '.csv', queue: 'uploads-q' }, { events: ['removed'], target: 'fn:onobj' }] } } satisfies BucketResource,
  table('users', { partitionKey: 'id', sortKey: { name: 'n', type: 'number' }, stream: 'KEYS_ONLY' }),
  queue('alerts-q'),
  queue('ticks'),
  topic('alerts', { subscribers: [{ fn: 'hello' }, { queue: 'alerts-q' }] }),
  schedule('hourly', { expression: 'rate(1 hour)', target: { queue: 'ticks' } }),
  schedule('nightly', { expression: 'cron(0 2 * * ? *)', target: { fn: 'tick' } }),
  schedule('fixed', { expression: 'rate(1 hour)', target: { fn: 'fixed' }, input: { mode: 'full' } }),
  fn('hello', './h.ts', { triggers: [{ queue: 'jobs' }] }),
  fn('fromq', './h.ts', { triggers: [{ queue: 'uploads-q' }] }),
  fn('onobj', './h.ts'),
  fn('onstream', './h.ts', { triggers: [{ table: 'users' }] }),
  fn('tick', './h.ts'),
  fn('fixed', './h.ts'),
  fn('lonely', './h.ts'),
  fn('fromtopic', './h.ts', { triggers: [{ queue: 'alerts-q' }] }),
  fn('fromtick', './h.ts', { triggers: [{ queue: 'ticks' }] }),
]);

describe('sample events', () => {
  it('baton events <kind> builds each kind as its trigger does', () => {
    const s3 = sampleEvent('s3', { bucket: 'b', key: 'dt=1/a b.csv' }) as S3Event;
    expect(s3.Records[0]!.s3.object.key).toBe('dt%3D1/a+b.csv');
    expect(s3.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Put', eventSource: 'aws:s3', s3: { bucket: { name: 'b', arn: 'arn:aws:s3:::b' } } });
    expect(sampleEvent('s3', { removed: true }) as S3Event).toMatchObject({ Records: [{ eventName: 'ObjectRemoved:Delete', s3: { object: { key: 'test/key.json' } } }] });
    const sqs = sampleEvent('sqs', { queue: 'q', body: 'hi' }) as SQSEvent;
    expect(sqs.Records[0]).toMatchObject({ body: 'hi', md5OfBody: '49f68a5c8493ec2c0bf489821c21fc3b', eventSourceARN: expect.stringMatching(/^arn:aws:sqs:[^:]+:\d{12}:q$/) });
    const ddb = sampleEvent('dynamodb', { table: 't', item: '{"id":7,"x":"y"}', eventName: 'MODIFY' }) as DynamoDBStreamEvent;
    expect(ddb.Records[0]).toMatchObject({ eventName: 'MODIFY', dynamodb: { Keys: { id: { N: '7' } }, NewImage: { id: { N: '7' }, x: { S: 'y' } }, OldImage: { id: { N: '7' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    const tick = sampleEvent('schedule', { schedule: 's' }) as ScheduledEvent;
    expect(tick).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', resources: [expect.stringMatching(/^arn:aws:events:[^:]+:\d{12}:rule\/s$/)] });
    expect((sampleEvent('sns', { topic: 't', body: 'm', subject: 's' }) as SNSEvent).Records[0]!.Sns).toMatchObject({ Message: 'm', Subject: 's', TopicArn: expect.stringMatching(/:t$/) });
    expect(() => sampleEvent('kinesis', {})).toThrow(/unknown kind "kinesis".*s3, sqs, dynamodb, schedule, sns/);
    expect(() => sampleEvent('dynamodb', { viewType: 'ALL' })).toThrow(/--view-type "ALL" is not a stream view type/);
  });

  it("invoke --trigger builds the event of the function's own trigger from the app", () => {
    const sqs = triggerEvent(spec, 'hello', undefined, { body: 'b1' });
    expect(sqs.source).toBe('queue:jobs');
    expect(sqs.note).toMatch(/has 2 triggers \(queue:jobs, topic:alerts\); using queue:jobs/);
    expect((sqs.event as SQSEvent).Records[0]).toMatchObject({ body: 'b1', eventSourceARN: expect.stringMatching(/:jobs$/) });
    const sns = triggerEvent(spec, 'hello', 'topic:alerts', {}).event as SNSEvent;
    expect(sns.Records[0]!.EventSubscriptionArn).toMatch(/:alerts:hello-subscription$/);

    // A queue a bucket notifies carries S3 events as bodies, for a key its rule matches.
    const s3InSqs = JSON.parse((triggerEvent(spec, 'fromq', undefined, {}).event as SQSEvent).Records[0]!.body) as S3Event;
    expect(s3InSqs.Records[0]!.s3).toMatchObject({ bucket: { name: 'uploads' }, configurationId: 'notification-1', object: { key: 'in/sample.csv' } });
    // SNS -> SQS and EventBridge -> SQS: the notification and the tick as bodies.
    const viaTopic = JSON.parse((triggerEvent(spec, 'fromtopic', undefined, {}).event as SQSEvent).Records[0]!.body) as { Type: string; TopicArn: string };
    expect(viaTopic).toMatchObject({ Type: 'Notification', TopicArn: expect.stringMatching(/:alerts$/) });
    const viaSchedule = JSON.parse((triggerEvent(spec, 'fromtick', undefined, {}).event as SQSEvent).Records[0]!.body) as ScheduledEvent;
    expect(viaSchedule.resources[0]).toMatch(/:rule\/hourly$/);
    const direct = triggerEvent(spec, 'onobj', undefined, {}).event as S3Event;
    expect(direct.Records[0]).toMatchObject({ eventName: 'ObjectRemoved:Delete', s3: { configurationId: 'notification-2', bucket: { name: 'uploads' } } });

    // The table's own keys and view type (KEYS_ONLY: no images).
    const ddb = triggerEvent(spec, 'onstream', undefined, { item: '{"id":"u1","n":3,"name":"x"}' }).event as DynamoDBStreamEvent;
    expect(ddb.Records[0]!.dynamodb).toMatchObject({ Keys: { id: { S: 'u1' }, n: { N: '3' } }, StreamViewType: 'KEYS_ONLY' });
    expect(ddb.Records[0]!.dynamodb!.NewImage).toBeUndefined();
    expect(() => triggerEvent(spec, 'onstream', undefined, { item: '{"id":"u1"}' })).toThrow(/table "users": the item has no number key attribute "n"/);

    expect((triggerEvent(spec, 'tick', undefined, {}).event as ScheduledEvent).resources[0]).toMatch(/:rule\/nightly$/);
    expect(triggerEvent(spec, 'fixed', undefined, {}).event).toEqual({ mode: 'full' });
    expect(() => triggerEvent(spec, 'lonely', undefined, {})).toThrow(/fn "lonely" has no trigger/);
    expect(() => triggerEvent(spec, 'hello', 'queue:nope', {})).toThrow(/no trigger "queue:nope".*queue:jobs, topic:alerts/);
    expect(() => triggerEvent(spec, 'ghost', undefined, {})).toThrow(/fn "ghost" is not declared/);
  });

  it('a schedule target invoked with no event gets its scheduled event; other functions get none', () => {
    expect(scheduledDefault(spec, 'tick', Date.UTC(2026, 0, 1, 2))).toMatchObject({ source: 'schedule:nightly', event: { time: '2026-01-01T02:00:00Z', 'detail-type': 'Scheduled Event' } });
    expect(scheduledDefault(spec, 'hello')).toBeUndefined();
  });

  it('duration flags take what the definitions take', () => {
    expect(durationFlag('--delay')('5s')).toBe(5000);
    expect(durationFlag('--delay')('2m')).toBe(120_000);
    expect(durationFlag('--delay')('250')).toBe(250);
    expect(() => durationFlag('--delay')('soon')).toThrow(/--delay: "soon" is not a valid duration/);
  });
});

describe('the commands', { timeout: 180_000 }, () => {
  const p = join(dir, 'project');
  mkdirSync(join(p, 'node_modules'), { recursive: true });
  writeFileSync(join(p, 'package.json'), '{ "type": "module" }');
  symlinkSync(root, join(p, 'node_modules', 'baton'));
  writeFileSync(
    join(p, 'baton.config.ts'),
    `import { app, fn, queue, schedule, table } from 'baton';
export default app('cmds', [
  queue('jobs'),
  table('users', { partitionKey: 'id' }),
  schedule('nightly', { expression: 'cron(0 2 * * ? *)', target: { fn: 'tick' } }),
  fn('tick', './echo.ts'),
  fn('hello', './echo.ts', { triggers: [{ queue: 'jobs' }] }),
]);
`,
  );
  writeFileSync(join(p, 'echo.ts'), 'export const handler = async (event: unknown) => ({ got: event });\n');
  const env = { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') };

  async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, '--dir', join(p, '.state'), ...args], { cwd: p, env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('invoke: a scheduled handler with no event, --trigger, and the run keeps the result', async () => {
    const tick = JSON.parse((await baton('--json', 'invoke', 'tick')).stdout) as { runId: string; result: { got: ScheduledEvent } };
    expect(tick.result.got).toMatchObject({ 'detail-type': 'Scheduled Event', resources: [expect.stringMatching(/rule\/nightly$/)] });
    const shown = await baton('runs', tick.runId);
    expect(shown.stdout).toMatch(/^result: +\{"got":\{"version":"0"/m);
    expect(shown.stdout).toMatch(/^input: +\{"version":"0"/m);
    const list = JSON.parse((await baton('--json', 'runs', '--fn', 'tick')).stdout) as Array<{ result?: string }>;
    expect(list[0]?.result).toMatch(/^\{"got":/);

    const sqs = await baton('invoke', 'hello', '--trigger', '--body', 'hi there');
    expect(sqs.code).toBe(0);
    expect(sqs.stderr).toContain('baton invoke: event of queue:jobs');
    expect((JSON.parse(sqs.stdout) as { got: SQSEvent }).got.Records[0]).toMatchObject({ body: 'hi there', eventSource: 'aws:sqs' });
    const both = await baton('invoke', 'hello', '--trigger', '--event-json', '{}');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/Give the event once/);
    const sample = JSON.parse((await baton('events', 'sqs', '--body', 'x')).stdout) as SQSEvent;
    expect(sample.Records[0]!.body).toBe('x');
  });

  it('tables put, scan and delete; send --delay takes a duration', async () => {
    expect((await baton('tables', 'put', 'users', '{"id":"b","n":1}')).stdout.trim()).toBe('created');
    expect((await baton('tables', 'put', 'users', '{"id":"a","n":2}')).stdout.trim()).toBe('created');
    expect((await baton('tables', 'put', 'users', '{"id":"a","n":3}')).stdout.trim()).toBe('replaced {"id":"a","n":2}');
    const exists = await baton('tables', 'put', 'users', '{"id":"a"}', '--if-absent');
    expect(exists.code).toBe(1);
    expect(JSON.parse((await baton('--json', 'tables', 'scan', 'users')).stdout)).toEqual([{ id: 'a', n: 3 }, { id: 'b', n: 1 }]);
    const one = await baton('tables', 'scan', 'users', '--limit', '1');
    expect(one.stdout).toMatch(/^id +n\na +3\n$/);
    expect(one.stderr).toMatch(/more follow/);
    expect((await baton('tables', 'delete', 'users', '{"id":"a"}')).stdout.trim()).toBe('deleted {"id":"a","n":3}');
    const gone = await baton('tables', 'delete', 'users', '{"id":"a"}');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no item with key/);

    expect((await baton('send', 'jobs', 'later', '--delay', '5s')).code).toBe(0);
    const queues = JSON.parse((await baton('--json', 'queues')).stdout) as Array<{ queue: string; delayed: number }>;
    expect(queues.find((q) => q.queue === 'jobs')?.delayed).toBe(1);
    const bad = await baton('send', 'jobs', 'x', '--delay', 'soon');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--delay: "soon" is not a valid duration/);
  });
});
