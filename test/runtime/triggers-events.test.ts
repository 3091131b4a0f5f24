import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { bucket } from '../../src/core/resources/bucket.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { topic, topicFnQueue } from '../../src/core/resources/topic.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { fixtures, lines, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let t: TestBackend;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  await t.close();
});

describe('bucket events -> fn', () => {
  it('hands the S3 handler a URL-encoded key that decodes to the key written (spaces and unicode), and acks the outbox', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = app('s3', [bucket('uploads', { notifications: [{ target: { fn: 'on-upload' }, prefix: 'in/' }] }), fn('on-upload', './s3-object.ts', { env: { OUT_FILE: out } })]);
    engine = await startEngine({ backend: t.backend, spec, executor });
    const key = 'in/2026 Q1/naïve café ✓ (final)+v2.csv';
    await t.backend.objects.put('uploads', key, 'a,b\n1,2\n');
    await t.backend.objects.put('uploads', 'other/skip.csv', 'x');
    await until(() => lines(out).length === 1, { clock: t.clock, what: 'the S3 handler' });
    expect(lines(out)).toEqual([{ bucket: 'uploads', key, eventName: 'ObjectCreated:Put', size: 8 }]);
    expect(await t.backend.objects.pendingEvents()).toEqual([]);
    await until(async () => (await t.backend.runs.list({ fn: 'on-upload' }))[0]?.status === 'ok', { what: 'the run to finish' });
    const [run] = await t.backend.runs.list({ fn: 'on-upload' });
    expect(run).toMatchObject({ trigger: 'bucket:uploads', status: 'ok' });
  });
});

describe('topic -> fn', () => {
  it('delivers each published message to a function subscriber as an SNS event, through a durable internal queue', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = app('sns', [topic('alerts', { subscribers: [{ fn: 'notify' }] }), fn('notify', './sns-message.ts', { env: { OUT_FILE: out } })]);
    expect(spec.queues.map((q) => q.name)).toEqual([topicFnQueue('alerts', 'notify')]);
    // Published before the engine runs: the message waits in the subscription's queue.
    await startEngine({ backend: t.backend, spec, executor, settings: { asyncDrainers: 0 } }).then((e) => e.stop());
    await t.backend.topics.publish('alerts', { message: 'disk almost full', subject: 'Disk' });
    engine = await startEngine({ backend: t.backend, spec, executor });
    await t.backend.topics.publish('alerts', { message: '{"level":"ok"}' });
    await until(() => lines(out).length === 2, { clock: t.clock, what: 'two SNS invocations' });
    const got = lines<{ message: string; subject: string | null; source: string; topicArn: string }>(out).sort((a, b) => a.message.localeCompare(b.message));
    expect(got).toEqual([
      { message: '{"level":"ok"}', subject: null, source: 'aws:sns', topicArn: 'arn:aws:sns:us-east-1:000000000000:alerts' },
      { message: 'disk almost full', subject: 'Disk', source: 'aws:sns', topicArn: 'arn:aws:sns:us-east-1:000000000000:alerts' },
    ]);
  });

  it('refuses a function subscriber that is not declared', () => {
    expect(() => app('sns', [topic('alerts', { subscribers: [{ fn: 'nope' }] })])).toThrow(/topic "alerts": field "subscribers.0.fn" names function "nope", which is not declared/);
  });
});
