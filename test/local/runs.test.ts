import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalRunStore } from '../../src/backends/local/runs/store.ts';
import { NotFoundError, ValidationError } from '../../src/core/errors.ts';
import type { RunStore } from '../../src/ports/runs.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
let runs: RunStore;
beforeEach(() => {
  t = makeLocalBackend();
  runs = t.backend.runs;
});
afterEach(() => t.close());

describe('local run history', () => {
  it('records a run from start to finish, with its logs in order', async () => {
    const run = await runs.start({ fn: 'orders', trigger: 'queue:orders', attempt: 2, requestId: 'req-1', recordIds: ['m1', 'm2'], input: { Records: [{ body: 'x' }] } });
    expect(run).toMatchObject({ fn: 'orders', trigger: 'queue:orders', attempt: 2, status: 'running', startedAt: t.clock.now(), recordIds: ['m1', 'm2'], input: '{"Records":[{"body":"x"}]}' });
    await runs.appendLogs(run.id, [{ time: 1, level: 'info', message: 'first' }]);
    const done = await runs.finish(run.id, {
      status: 'error',
      durationMs: 12.5,
      error: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at x' },
      logs: [
        { time: 2, level: 'warn', message: 'second' },
        { time: 3, level: 'error', message: 'third' },
      ],
    });
    expect(done).toMatchObject({ id: run.id, status: 'error', durationMs: 12.5, requestId: 'req-1', error: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at x' } });
    expect(await runs.get(run.id)).toEqual(done);
    expect((await runs.logs(run.id)).map((l) => `${l.level}:${l.message}`)).toEqual(['info:first', 'warn:second', 'error:third']);
    expect(await runs.logs(run.id, { limit: 1 })).toHaveLength(1);
  });

  it('records a run that already ended, start and finish in one call, with its logs and result', async () => {
    const done = await runs.record!(
      { id: 'run-x', fn: 'orders', trigger: 'queue:orders', attempt: 2, requestId: 'req-2', recordIds: ['m1'], input: { a: 1 }, startedAt: 1234 },
      { status: 'ok', durationMs: 3, logs: [{ time: 1, level: 'info', message: 'hi' }], result: { n: 1 } },
    );
    expect(done).toMatchObject({ id: 'run-x', fn: 'orders', trigger: 'queue:orders', attempt: 2, requestId: 'req-2', startedAt: 1234, status: 'ok', durationMs: 3, recordIds: ['m1'], input: '{"a":1}', result: '{"n":1}' });
    expect(await runs.get('run-x')).toEqual(done);
    expect((await runs.logs('run-x')).map((l) => l.message)).toEqual(['hi']);
    await expect(runs.record!({ id: 'run-y', fn: '', trigger: 'invoke' }, { status: 'ok', durationMs: 1 })).rejects.toThrow(ValidationError);
    expect(await runs.get('run-y')).toBeUndefined();
  });

  it('keeps only a 1 KiB summary of the input', async () => {
    const run = await runs.start({ fn: 'f', trigger: 'invoke', input: { big: 'y'.repeat(10_000) } });
    expect(Buffer.byteLength(run.input!.split('…')[0]!)).toBe(1024);
    expect(run.input).toMatch(/…\[truncated( \d+ bytes)?\]$/);
    expect((await runs.get(run.id))?.input).toBe(run.input);
  });

  it('lists newest first, filtered by fn, status and trigger, with a limit', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await runs.start({ fn: i % 2 ? 'a' : 'b', trigger: i < 3 ? 'invoke' : 'async', attempt: i + 1 });
      if (i !== 5) await runs.finish(r.id, { status: i % 3 === 0 ? 'timeout' : 'ok', durationMs: i });
      await t.clock.advance(1000);
    }
    expect((await runs.list()).map((r) => r.attempt)).toEqual([6, 5, 4, 3, 2, 1]);
    expect((await runs.list({ fn: 'a' })).map((r) => r.attempt)).toEqual([6, 4, 2]);
    expect((await runs.list({ status: 'timeout' })).map((r) => r.attempt)).toEqual([4, 1]);
    expect((await runs.list({ status: 'running' })).map((r) => r.attempt)).toEqual([6]);
    expect((await runs.list({ trigger: 'async', fn: 'b' })).map((r) => r.attempt)).toEqual([5]);
    expect((await runs.list({ limit: 2 })).map((r) => r.attempt)).toEqual([6, 5]);
    const third = (await runs.list())[2]!;
    expect((await runs.list({ before: third.startedAt })).map((r) => r.attempt)).toEqual([3, 2, 1]);
  });

  it('says what is wrong with a bad filter or an unknown run', async () => {
    await expect(runs.list({ status: 'done' as never })).rejects.toThrow(ValidationError);
    await expect(runs.list({ limit: 0 })).rejects.toThrow(/limit 0 must be a whole number/);
    await expect(runs.finish('nope', { status: 'ok', durationMs: 1 })).rejects.toThrow(NotFoundError);
    await expect(runs.logs('nope')).rejects.toThrow(/Run "nope" does not exist.*baton runs/);
    expect(await runs.get('nope')).toBeUndefined();
  });

  it('prunes by count per function and by age, logs included', async () => {
    for (let i = 0; i < 5; i++) {
      for (const fn of ['a', 'b']) {
        const r = await runs.start({ fn, trigger: 'invoke', attempt: i + 1 });
        await runs.finish(r.id, { status: 'ok', durationMs: 1, logs: [{ time: i, level: 'info', message: `${fn}${i}` }] });
      }
      await t.clock.advance(60_000);
    }
    expect(await runs.prune({ keepPerFn: 3, maxAgeMs: Infinity })).toEqual({ runs: 4, logs: 4 });
    expect((await runs.list({ fn: 'a' })).map((r) => r.attempt)).toEqual([5, 4, 3]);
    // now = start + 5 min; runs 3, 4, 5 started at +2, +3, +4 min.
    expect(await runs.prune({ keepPerFn: Infinity, maxAgeMs: 90_000 })).toEqual({ runs: 4, logs: 4 });
    const left = await runs.list();
    expect(left.map((r) => `${r.fn}${r.attempt}`)).toEqual(['b5', 'a5']);
    expect((await runs.logs(left[0]!.id)).map((l) => l.message)).toEqual(['b4']);
    await expect(runs.prune({ keepPerFn: -1 })).rejects.toThrow(/keepPerFn is -1/);
  });

  it('prunes on its own every N finished runs', async () => {
    const store = new LocalRunStore(t.backend.context, { retention: { keepPerFn: 2 }, pruneEvery: 3 });
    for (let i = 0; i < 3; i++) await store.finish((await store.start({ fn: 'x', trigger: 'invoke' })).id, { status: 'ok', durationMs: 1 });
    expect(await store.list({ fn: 'x' })).toHaveLength(2);
  });

  it('survives a reopen', async () => {
    const r = await runs.start({ fn: 'f', trigger: 'invoke' });
    await runs.finish(r.id, { status: 'ok', durationMs: 3, logs: [{ time: 1, level: 'info', message: 'kept' }], recordIds: ['r1'] });
    const b = await t.reopen();
    expect(await b.runs.get(r.id)).toMatchObject({ status: 'ok', recordIds: ['r1'] });
    expect((await b.runs.logs(r.id))[0]?.message).toBe('kept');
  });
});
