import { afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { alarm } from '../../src/core/resources/alarm.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { topic } from '../../src/core/resources/topic.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { formatSummary } from '../../src/runtime/engine/summary.ts';
import type { Executor } from '../../src/ports/executor.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

/** No function runs in these tests. */
const noExecutor: Executor = {
  invoke: () => Promise.reject(new Error('no function should run')),
  close: () => Promise.resolve(),
};

let t: TestBackend;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 500 });
  engine = undefined;
  await t.close();
});

async function states(): Promise<string[]> {
  const got = await t.backend.queues.receive('inbox', { maxMessages: 10, visibilityTimeoutMs: 0 });
  return got.map((m) => {
    const n = JSON.parse(m.body) as { Message: string };
    const a = JSON.parse(n.Message) as { OldStateValue: string; NewStateValue: string; Trigger: { Threshold: number; Unit: string } };
    return `${a.OldStateValue}->${a.NewStateValue} ${a.Trigger.Threshold}${a.Trigger.Unit === 'Milliseconds' ? 'ms' : ''}`;
  });
}

describe('oldest-age alarm', () => {
  it('goes into alarm when the oldest message passes the age, once, and recovers when the queue drains', async () => {
    t = makeLocalBackend();
    const spec = app('age', [queue('work'), queue('inbox'), topic('ops', { subscribers: [{ queue: 'inbox' }] }), alarm('stale-work', { queue: 'work', metric: 'oldestAge', threshold: '5m', topic: 'ops', every: '1m' })]);
    engine = await startEngine({ backend: t.backend, spec, executor: noExecutor, settings: { asyncDrainers: 0 } });
    await t.backend.queues.send('work', { body: 'waiting' });
    await t.clock.advance(4 * 60_000);
    expect(await states()).toEqual([]);
    await t.clock.advance(2 * 60_000);
    expect(await states()).toEqual(['OK->ALARM 300000ms']);
    await t.clock.advance(10 * 60_000);
    expect(await states()).toHaveLength(1);
    await t.backend.queues.purge('work');
    await t.clock.advance(60_000);
    expect(await states()).toEqual(['OK->ALARM 300000ms', 'ALARM->OK 300000ms']);
    const state = await t.backend.params.get('/baton/alarms/stale-work');
    expect(JSON.parse(state.value)).toMatchObject({ state: 'OK' });
    expect(formatSummary({ counters: engine.counters, inFlight: engine.inFlight(), queues: await engine.queueStats() })).toBe('invocations 0  errors 0  timeouts 0  in flight 0  |  work 0  inbox 2');
  });
});
