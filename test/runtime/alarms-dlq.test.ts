import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app, type AppSpec } from '../../src/core/app.ts';
import { DefinitionError } from '../../src/core/errors.ts';
import { alarm } from '../../src/core/resources/alarm.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { topic } from '../../src/core/resources/topic.ts';
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

function spec(out: string, fixed: boolean): AppSpec {
  return app('dlq', [
    queue('orders', { visibilityTimeout: '5s', deadLetter: { maxReceiveCount: 3 } }),
    queue('ops-inbox'),
    topic('ops', { subscribers: [{ queue: 'ops-inbox' }] }),
    alarm('orders-dead-letters', { queue: 'orders', metric: 'deadLettered', threshold: 1, topic: 'ops', every: '10s' }),
    fn('consume', './sqs-poison.ts', { env: { OUT_FILE: out, ...(fixed ? { POISON_FIXED: '1' } : {}) }, triggers: [{ queue: 'orders', batchSize: 1 }] }),
  ]);
}

interface AlarmMessage {
  AlarmName: string;
  NewStateValue: string;
  OldStateValue: string;
  NewStateReason: string;
  StateChangeTime: string;
  Trigger: { MetricName: string; Threshold: number; Dimensions: unknown };
}

async function notifications(): Promise<Array<{ subject: string; alarm: AlarmMessage }>> {
  const got = await t.backend.queues.receive('ops-inbox', { maxMessages: 10, visibilityTimeoutMs: 0 });
  return got.map((m) => {
    const n = JSON.parse(m.body) as { Subject: string; Message: string };
    return { subject: n.Subject, alarm: JSON.parse(n.Message) as AlarmMessage };
  });
}

describe('poison message, DLQ alarm and redrive', () => {
  it('dead-letters a poison message with its last error, notifies once into alarm and once on recovery, and redrive processes it after the fix', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    engine = await startEngine({ backend: t.backend, spec: spec(out, false), executor, settings: { asyncDrainers: 0 } });
    const q = t.backend.queues;
    const { messageId: poison } = await q.send('orders', { body: 'poison' });
    for (const n of [1, 2, 3]) await q.send('orders', { body: `good-${n}` });

    await until(async () => (await q.stats('orders-dlq')).visible === 1 && lines(out).length === 3, { clock: t.clock, stepMs: 1000, what: 'the poison message in the DLQ' });
    expect(lines<{ body: string }>(out).map((l) => l.body).sort()).toEqual(['good-1', 'good-2', 'good-3']);
    const runs = await t.backend.runs.list({ fn: 'consume', status: 'error' });
    expect(runs.map((r) => r.attempt).sort()).toEqual([1, 2, 3]);
    expect(runs.every((r) => r.recordIds[0] === poison)).toBe(true);
    const preview = await q.redrive('orders-dlq', { dryRun: true });
    expect(preview.messages).toEqual([expect.objectContaining({ messageId: poison, sourceQueue: 'orders', attempts: 3, lastError: expect.objectContaining({ message: 'cannot parse "poison"' }) as unknown })]);

    // Several periods in alarm, more poison in the DLQ: still one notification.
    await until(async () => (await q.stats('ops-inbox')).visible > 0, { clock: t.clock, stepMs: 2000, what: 'the alarm notification' });
    await q.send('orders', { body: 'poison' });
    await until(async () => (await q.stats('orders-dlq')).visible === 2, { clock: t.clock, stepMs: 1000, what: 'the second poison message' });
    await t.clock.advance(30_000);
    const inAlarm = await notifications();
    expect(inAlarm).toHaveLength(1);
    expect(inAlarm[0]!.subject).toBe('ALARM: "orders-dead-letters" in us-east-1');
    expect(inAlarm[0]!.alarm).toMatchObject({ AlarmName: 'orders-dead-letters', NewStateValue: 'ALARM', OldStateValue: 'OK', Trigger: { MetricName: 'deadLettered', Threshold: 1, Dimensions: [{ name: 'QueueName', value: 'orders' }] } });
    expect(inAlarm[0]!.alarm.NewStateReason).toMatch(/^Threshold Crossed: 1 datapoint \[1 \(.*\)\] was greater than or equal to the threshold \(1\)\.$/);

    // Deploy the fix: a restart must not notify again; redrive runs the poison messages.
    await engine.stop();
    engine = await startEngine({ backend: t.backend, spec: spec(out, true), executor, settings: { asyncDrainers: 0 } });
    await t.clock.advance(20_000);
    expect(await notifications()).toHaveLength(1);
    expect((await q.redrive('orders-dlq')).moved).toBe(2);
    await until(() => lines(out).length === 5, { clock: t.clock, stepMs: 1000, what: 'the redriven messages' });
    expect(lines<{ body: string }>(out).filter((l) => l.body === 'poison')).toHaveLength(2);
    await t.clock.advance(20_000);
    await until(async () => (await q.stats('ops-inbox')).visible === 2, { clock: t.clock, stepMs: 2000, what: 'the recovery notification' });
    const all = await notifications();
    expect(all.map((n) => [n.alarm.OldStateValue, n.alarm.NewStateValue])).toEqual([
      ['OK', 'ALARM'],
      ['ALARM', 'OK'],
    ]);
    expect(all[1]!.subject).toBe('OK: "orders-dead-letters" in us-east-1');
  });
});

describe('alarm()', () => {
  it('checks the queue and topic exist and that a deadLettered alarm watches a queue with a DLQ', () => {
    const base = [queue('q'), topic('ops')];
    expect(() => app('a', [...base, alarm('x', { queue: 'nope', metric: 'depth', threshold: 1, topic: 'ops' })])).toThrow(/alarm "x": field "queue" names queue "nope", which is not declared/);
    expect(() => app('a', [...base, alarm('x', { queue: 'q', metric: 'depth', threshold: 1, topic: 'nope' })])).toThrow(/alarm "x": field "topic" names topic "nope", which is not declared/);
    expect(() => app('a', [...base, alarm('x', { queue: 'q', metric: 'deadLettered', threshold: 1, topic: 'ops' })])).toThrow(DefinitionError);
    expect(() => alarm('x', { queue: 'q', metric: 'visible', threshold: '5m', topic: 'ops' })).toThrow(/expected a whole number of messages/);
    const s = app('a', [...base, alarm('old', { queue: 'q', metric: 'oldestAge', threshold: '15m', topic: 'ops' })]);
    expect(s.alarms).toEqual([{ name: 'old', queue: 'q', metric: 'oldestAge', threshold: 900_000, topic: 'ops', everyMs: 60_000 }]);
  });
});
