import { join } from 'node:path';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app, type AppSpec } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { schedule, type ScheduleOptions } from '../../src/core/resources/schedule.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { fixtures, lines, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

let t: TestBackend;
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ deadlineMs: 1000 });
  await t.close();
});

async function start(spec: AppSpec): Promise<Engine> {
  const e = await startEngine({ backend: t.backend, spec, executor, settings: { asyncDrainers: 0 } });
  engines.push(e);
  return e;
}

async function stop(e: Engine): Promise<void> {
  engines.splice(engines.indexOf(e), 1);
  await e.stop();
}

function queueSpec(opts: Partial<ScheduleOptions> = {}): AppSpec {
  return app('ticks', [queue('ticks'), schedule('hourly', { expression: 'cron(0 * * * ? *)', target: { queue: 'ticks' }, ...opts })]);
}

/** The times of the ticks delivered to the 'ticks' queue so far (removes them). */
async function ticks(): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const got = await t.backend.queues.receive('ticks', { maxMessages: 10 });
    if (got.length === 0) return out;
    for (const m of got) {
      out.push((JSON.parse(m.body) as ScheduledEvent).time);
      await t.backend.queues.delete('ticks', m.receiptHandle);
    }
  }
}

/** Moves the fake clock to `at`, then lets the loops settle. */
async function moveTo(at: number): Promise<void> {
  await t.clock.set(at);
  await new Promise((r) => setTimeout(r, 20));
  await t.clock.advance(0);
}

describe('schedule -> fn', () => {
  it('fires a scheduled handler with the EventBridge event at each cron tick', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = app('sched', [fn('tick', './scheduled.ts', { env: { OUT_FILE: out } }), schedule('hourly', { expression: 'cron(0 * * * ? *)', target: { fn: 'tick' } })]);
    engines.push(await startEngine({ backend: t.backend, spec, executor, settings: { asyncDrainers: 1 } }));
    await moveTo(T0 + H - 1);
    expect(lines(out)).toEqual([]);
    await moveTo(T0 + H);
    await until(() => lines(out).length === 1, { what: 'the 01:00 tick' });
    const [event] = lines<ScheduledEvent>(out);
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/) as string,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-01-01T01:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/hourly'],
      detail: {},
    });
    // The handler writes its line before its run is recorded as finished.
    await until(async () => (await t.backend.runs.list({ fn: 'tick' }))[0]?.status === 'ok', { what: 'the run to finish' });
    const [run] = await t.backend.runs.list({ fn: 'tick' });
    expect(run).toMatchObject({ status: 'ok', trigger: 'schedule:hourly', requestId: event!.id });
  });

  it('sends the fixed input instead of the scheduled event when the schedule has one', async () => {
    t = makeLocalBackend();
    await start(queueSpec({ input: { job: 'compact', hour: 'previous' } }));
    await moveTo(T0 + H);
    const [m] = await t.backend.queues.receive('ticks');
    expect(JSON.parse(m!.body)).toEqual({ job: 'compact', hour: 'previous' });
  });
});

describe('schedule state across restarts and engines', () => {
  it('after downtime fires the latest missed tick once by default', async () => {
    t = makeLocalBackend();
    const e = await start(queueSpec());
    await moveTo(T0 + H + 60_000);
    expect(await ticks()).toEqual([iso(T0 + H)]);
    await stop(e);
    await moveTo(T0 + 5 * H + 30 * 60_000); // down from 01:01 to 05:30
    await start(queueSpec());
    await moveTo(T0 + 5 * H + 31 * 60_000);
    expect(await ticks()).toEqual([iso(T0 + 5 * H)]);
    await moveTo(T0 + 6 * H);
    expect(await ticks()).toEqual([iso(T0 + 6 * H)]);
  });

  it("catchUp 'all' fires every missed tick in order; 'skip' fires none of them", async () => {
    t = makeLocalBackend();
    let e = await start(queueSpec({ catchUp: 'all' }));
    await moveTo(T0 + 1000);
    await stop(e);
    await moveTo(T0 + 3 * H + 10 * 60_000);
    e = await start(queueSpec({ catchUp: 'all' }));
    await moveTo(T0 + 3 * H + 11 * 60_000);
    expect(await ticks()).toEqual([iso(T0 + H), iso(T0 + 2 * H), iso(T0 + 3 * H)]);
    await stop(e);

    await moveTo(T0 + 6 * H + 10 * 60_000);
    await start(queueSpec({ catchUp: 'skip' }));
    await moveTo(T0 + 6 * H + 11 * 60_000);
    expect(await ticks()).toEqual([]);
    await moveTo(T0 + 7 * H);
    expect(await ticks()).toEqual([iso(T0 + 7 * H)]);
  });

  it('a restart does not fire a tick again, and two engines on the same state fire each tick once', async () => {
    t = makeLocalBackend();
    const a = await start(queueSpec());
    await moveTo(T0 + H);
    expect(await ticks()).toEqual([iso(T0 + H)]);
    await stop(a);
    await start(queueSpec());
    await start(queueSpec());
    await moveTo(T0 + H + 30_000);
    expect(await ticks()).toEqual([]);
    for (let h = 2; h <= 4; h++) await moveTo(T0 + h * H);
    expect(await ticks()).toEqual([iso(T0 + 2 * H), iso(T0 + 3 * H), iso(T0 + 4 * H)]);
  });

  it('anchors a rate schedule at its first registration and keeps the anchor across restarts', async () => {
    t = makeLocalBackend();
    const spec = queueSpec({ expression: 'rate(5 minutes)' });
    await moveTo(T0 + 2 * 60_000);
    const e = await start(spec);
    await moveTo(T0 + 7 * 60_000);
    expect(await ticks()).toEqual([iso(T0 + 7 * 60_000)]);
    await stop(e);
    await start(spec);
    await moveTo(T0 + 12 * 60_000);
    expect(await ticks()).toEqual([iso(T0 + 12 * 60_000)]);
    const state = await t.backend.params.get('/baton/schedules/hourly');
    expect(JSON.parse(state.value)).toEqual({ anchor: T0 + 2 * 60_000, last: T0 + 12 * 60_000 });
  });
});
