/**
 * The run history port's conformance suite (ports/runs.ts): every backend runs it
 * (`runRunStoreConformance('local', make)`). It talks to the backend only through `backend.runs`
 * and moves time with the harness's fake clock.
 */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { ConditionFailedError, NotFoundError, ValidationError } from '../../src/core/errors.ts';
import type { LogRecord } from '../../src/ports/executor.ts';
import type { Run, RunStore } from '../../src/ports/runs.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

const MINUTE = 60_000;

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const line = (message: string, time = 1): LogRecord => ({ time, level: 'info', message });

export function runRunStoreConformance(name: string, make: MakeBackend, skips: Skips = {}): void {
  const it = caseFor(skips);

  describe(`run store conformance: ${name}`, () => {
    let h: BackendHarness;
    let runs: RunStore;

    beforeEach(async () => {
      h = await make();
      runs = h.backend.runs;
    });
    afterEach(async () => {
      await h.close();
    });

    it('start records a running run with the clock time, its record ids and a summary of its input', async () => {
      const run = await runs.start({ fn: 'orders', trigger: 'queue:orders', attempt: 2, requestId: 'req-1', recordIds: ['m1', 'm2'], input: { Records: [{ body: 'x' }] } });
      expect(run).toEqual({ id: run.id, fn: 'orders', trigger: 'queue:orders', attempt: 2, requestId: 'req-1', startedAt: h.clock.now(), status: 'running', recordIds: ['m1', 'm2'], input: '{"Records":[{"body":"x"}]}' });
      expect(run.id).toMatch(/\S/);
      expect(await runs.get(run.id)).toEqual(run);
      const plain = await runs.start({ id: 'given-id', fn: 'f', trigger: 'invoke', startedAt: 5 });
      expect(plain).toEqual({ id: 'given-id', fn: 'f', trigger: 'invoke', attempt: 1, startedAt: 5, status: 'running', recordIds: [] });
      expect(await runs.get('given-id')).toEqual(plain);
    });

    it('keeps only a 1 KiB summary of a large input', async () => {
      const run = await runs.start({ fn: 'f', trigger: 'invoke', input: { big: 'y'.repeat(10_000) } });
      expect(Buffer.byteLength(run.input!.split('…')[0]!)).toBe(1024);
      expect((await runs.get(run.id))?.input).toBe(run.input);
    });

    it('finish sets the outcome, the record ids known at the end, and appends its logs after earlier ones', async () => {
      const run = await runs.start({ fn: 'orders', trigger: 'invoke', recordIds: ['a'] });
      await runs.appendLogs(run.id, [line('first', 1)]);
      await runs.appendLogs(run.id, []);
      const done = await runs.finish(run.id, {
        status: 'error',
        durationMs: 12.5,
        error: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at x' },
        recordIds: ['a', 'b'],
        logs: [
          { time: 2, level: 'warn', message: 'second' },
          { time: 3, level: 'error', message: 'third' },
        ],
      });
      expect(done).toEqual({ ...run, status: 'error', durationMs: 12.5, error: { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at x' }, recordIds: ['a', 'b'] });
      expect(await runs.get(run.id)).toEqual(done);
      expect(await runs.logs(run.id)).toEqual([
        { time: 1, level: 'info', message: 'first' },
        { time: 2, level: 'warn', message: 'second' },
        { time: 3, level: 'error', message: 'third' },
      ]);
      const ok = await runs.finish((await runs.start({ fn: 'orders', trigger: 'invoke', recordIds: ['k'] })).id, { status: 'timeout', durationMs: 3 });
      expect(ok).toMatchObject({ status: 'timeout', durationMs: 3, recordIds: ['k'] });
      expect(ok.error).toBeUndefined();
    });

    it('finish stores a summary of the result (cut to 1 KiB like the input), and a run finished without one has none', async () => {
      const run = await runs.start({ fn: 'f', trigger: 'invoke', input: { n: 1 } });
      const done = await runs.finish(run.id, { status: 'ok', durationMs: 1, result: { batchItemFailures: [], count: 2 } });
      expect(done.result).toBe('{"batchItemFailures":[],"count":2}');
      expect((await runs.get(run.id))?.result).toBe(done.result);
      expect((await runs.list({ fn: 'f' }))[0]?.result).toBe(done.result);
      const big = await runs.finish((await runs.start({ fn: 'g', trigger: 'invoke' })).id, { status: 'ok', durationMs: 1, result: 'z'.repeat(10_000) });
      expect(Buffer.byteLength(big.result!.split('…')[0]!)).toBe(1024);
      const none = await runs.finish((await runs.start({ fn: 'g', trigger: 'invoke' })).id, { status: 'error', durationMs: 1, error: { type: 'Error', message: 'x' } });
      expect(none.result).toBeUndefined();
      expect((await runs.prune({ keepPerFn: 0 })).runs).toBe(3);
      const again = await runs.finish((await runs.start({ fn: 'f', trigger: 'invoke' })).id, { status: 'ok', durationMs: 1 });
      expect(again.result).toBeUndefined();
    });

    it('logs keep write order across many appends and honour a limit', async () => {
      const run = await runs.start({ fn: 'f', trigger: 'invoke' });
      const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => line(`line ${from + i}`, from + i));
      await runs.appendLogs(run.id, batch(0, 30));
      await runs.appendLogs(run.id, batch(30, 7));
      await runs.finish(run.id, { status: 'ok', durationMs: 1, logs: batch(37, 40) });
      const all = await runs.logs(run.id);
      expect(all.map((l) => l.message)).toEqual(Array.from({ length: 77 }, (_, i) => `line ${i}`));
      expect((await runs.logs(run.id, { limit: 3 })).map((l) => l.message)).toEqual(['line 0', 'line 1', 'line 2']);
      const other = await runs.start({ fn: 'f', trigger: 'invoke' });
      expect(await runs.logs(other.id)).toEqual([]);
    });

    it('an unknown run: finish, appendLogs and logs throw NotFoundError, get returns undefined', async () => {
      const finish = await rejection(runs.finish('nope', { status: 'ok', durationMs: 1 }));
      expect(finish).toBeInstanceOf(NotFoundError);
      expect(finish.message).toMatch(/Run "nope" does not exist.*baton runs/);
      expect(await rejection(runs.appendLogs('nope', [line('x')]))).toBeInstanceOf(NotFoundError);
      expect(await rejection(runs.logs('nope'))).toBeInstanceOf(NotFoundError);
      expect(await runs.get('nope')).toBeUndefined();
    });

    it('list is newest first, filtered by fn, status and trigger, with a limit', async () => {
      for (let i = 0; i < 6; i++) {
        const r = await runs.start({ fn: i % 2 ? 'a' : 'b', trigger: i < 3 ? 'invoke' : 'async', attempt: i + 1 });
        if (i !== 5) await runs.finish(r.id, { status: i % 3 === 0 ? 'timeout' : 'ok', durationMs: i });
        await h.clock.advance(1000);
      }
      const attempts = async (f: Parameters<RunStore['list']>[0]) => (await runs.list(f)).map((r) => r.attempt);
      expect(await attempts(undefined)).toEqual([6, 5, 4, 3, 2, 1]);
      expect(await attempts({ fn: 'a' })).toEqual([6, 4, 2]);
      expect(await attempts({ status: 'timeout' })).toEqual([4, 1]);
      expect(await attempts({ status: 'running' })).toEqual([6]);
      expect(await attempts({ trigger: 'async', fn: 'b' })).toEqual([5]);
      expect(await attempts({ trigger: 'invoke', status: 'ok' })).toEqual([3, 2]);
      expect(await attempts({ limit: 2 })).toEqual([6, 5]);
      expect(await attempts({ fn: 'a', limit: 1 })).toEqual([6]);
      expect(await attempts({ fn: 'nobody' })).toEqual([]);
    });

    it('runs started in the same millisecond list newest first in the order they started', async () => {
      for (let i = 1; i <= 4; i++) await runs.start({ fn: 'same', trigger: 'invoke', attempt: i });
      expect((await runs.list()).map((r) => r.attempt)).toEqual([4, 3, 2, 1]);
      expect((await runs.list({ fn: 'same', limit: 2 })).map((r) => r.attempt)).toEqual([4, 3]);
    });

    it('list pages back with before, a page at a time, with filters applied past many non-matching runs', async () => {
      for (let i = 1; i <= 7; i++) {
        await runs.start({ fn: 'p', trigger: 'invoke', attempt: i });
        await h.clock.advance(1000);
      }
      for (let i = 0; i < 40; i++) await runs.start({ fn: 'noise', trigger: 'schedule:tick' });
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await runs.list({ fn: 'p', limit: 3, ...(before !== undefined ? { before } : {}) });
        if (!page.length) break;
        seen.push(...page.map((r) => r.attempt));
        before = page[page.length - 1]!.startedAt;
      }
      expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
      // The newest 40 runs are noise; a filter still finds the older matches within the limit.
      expect((await runs.list({ trigger: 'invoke', limit: 2 })).map((r) => r.attempt)).toEqual([7, 6]);
      expect(await runs.list({ limit: 45 })).toHaveLength(45);
      expect(await runs.list()).toHaveLength(47);
    });

    it('refuses a bad status or limit in list and a negative retention in prune', async () => {
      expect(await rejection(runs.list({ status: 'done' as never }))).toBeInstanceOf(ValidationError);
      const limit = await rejection(runs.list({ limit: 0 }));
      expect(limit).toBeInstanceOf(ValidationError);
      expect(limit.message).toMatch(/limit 0 must be a whole number/);
      const prune = await rejection(runs.prune({ keepPerFn: -1 }));
      expect(prune).toBeInstanceOf(ValidationError);
      expect(prune.message).toMatch(/keepPerFn is -1/);
    });

    it('prune keeps the newest keepPerFn runs of each function, their logs with them', async () => {
      for (let i = 0; i < 5; i++) {
        for (const fn of ['a', 'b']) {
          const r = await runs.start({ fn, trigger: 'invoke', attempt: i + 1 });
          await runs.finish(r.id, { status: 'ok', durationMs: 1, logs: [line(`${fn}${i}`, i), line(`${fn}${i}'`, i)] });
        }
        await h.clock.advance(MINUTE);
      }
      const oldest = (await runs.list({ fn: 'a' })).at(-1)!;
      expect(await runs.prune({ keepPerFn: 3, maxAgeMs: Infinity })).toEqual({ runs: 4, logs: 8 });
      expect((await runs.list({ fn: 'a' })).map((r) => r.attempt)).toEqual([5, 4, 3]);
      expect((await runs.list({ fn: 'b' })).map((r) => r.attempt)).toEqual([5, 4, 3]);
      expect(await runs.get(oldest.id)).toBeUndefined();
      expect(await rejection(runs.logs(oldest.id))).toBeInstanceOf(NotFoundError);
      expect(await runs.prune({ keepPerFn: 3, maxAgeMs: Infinity })).toEqual({ runs: 0, logs: 0 });
    });

    it('prune removes runs that started longer ago than maxAgeMs, their logs with them', async () => {
      for (let i = 0; i < 5; i++) {
        for (const fn of ['a', 'b']) {
          const r = await runs.start({ fn, trigger: 'invoke', attempt: i + 1 });
          await runs.finish(r.id, { status: 'ok', durationMs: 1, logs: [line(`${fn}${i}`, i)] });
        }
        await h.clock.advance(MINUTE);
      }
      // now = start + 5 min; runs 4 and 5 started at +3 and +4 min.
      expect(await runs.prune({ keepPerFn: Infinity, maxAgeMs: 150_000 })).toEqual({ runs: 6, logs: 6 });
      const left = await runs.list();
      expect(left.map((r) => `${r.fn}${r.attempt}`)).toEqual(['b5', 'a5', 'b4', 'a4']);
      expect((await runs.logs(left[0]!.id)).map((l) => l.message)).toEqual(['b4']);
    });

    it('page: newest first, filtered by fn, status, trigger and a time range, resumed by cursor to the end', async () => {
      const t0 = h.clock.now();
      for (let i = 0; i < 12; i++) {
        const r = await runs.start({ fn: i % 3 === 0 ? 'a' : 'b', trigger: i % 2 ? 'queue:q' : 'invoke', attempt: i + 1 });
        await runs.finish(r.id, { status: i % 4 === 0 ? 'error' : 'ok', durationMs: 1 });
        await h.clock.advance(1000);
      }
      const walk = async (filter: Parameters<RunStore['page']>[0]) => {
        const seen: number[] = [];
        let cursor: string | undefined;
        for (let n = 0; n < 20; n++) {
          const p = await runs.page({ ...filter, ...(cursor !== undefined ? { cursor } : {}) });
          expect(p.items.length).toBeLessThanOrEqual(filter?.limit ?? 50);
          seen.push(...p.items.map((r) => r.attempt - 1));
          if (p.next === null) return seen;
          cursor = p.next;
        }
        throw new Error('page never ended');
      };
      expect(await walk({ limit: 5 })).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(await walk({ fn: 'a', limit: 2 })).toEqual([9, 6, 3, 0]);
      expect(await walk({ status: 'error', limit: 1 })).toEqual([8, 4, 0]);
      expect(await walk({ trigger: 'queue:q', fn: 'b', limit: 2 })).toEqual([11, 7, 5, 1]);
      // since is inclusive, until exclusive: runs 3..7 started at t0+3s .. t0+7s.
      expect(await walk({ since: t0 + 3000, until: t0 + 8000, limit: 2 })).toEqual([7, 6, 5, 4, 3]);
      expect(await walk({ since: t0 + 3000, until: t0 + 8000, status: 'ok', limit: 50 })).toEqual([7, 6, 5, 3]);
      const first = await runs.page({ limit: 3 });
      // A run started after the first page was read does not shift the next page.
      await runs.start({ fn: 'a', trigger: 'invoke', attempt: 99 });
      expect((await runs.page({ limit: 3, cursor: first.next! })).items.map((r) => r.attempt - 1)).toEqual([8, 7, 6]);
      expect((await runs.page({ fn: 'nobody' })).items).toEqual([]);
      expect((await runs.page({ fn: 'nobody' })).next).toBeNull();
    });

    it('page refuses a malformed cursor, status, time or limit with a ValidationError', async () => {
      for (const bad of [{ cursor: 'not-a-cursor' }, { status: 'done' as never }, { since: Number.NaN }, { limit: 0 }]) {
        const err = await rejection(runs.page(bad));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toMatch(/runs\.page: (cursor|status|since|limit)/);
      }
    });

    it('count groups runs by fn and status, since a time and/or of one status, and refuses to count everything', async () => {
      const t0 = h.clock.now();
      for (let i = 0; i < 9; i++) {
        const r = await runs.start({ fn: i % 2 ? 'a' : 'b', trigger: 'invoke' });
        if (i % 3 !== 2) await runs.finish(r.id, { status: i % 3 === 0 ? 'error' : 'ok', durationMs: 1 });
        await h.clock.advance(1000);
      }
      const sorted = (c: Awaited<ReturnType<RunStore['count']>>) => c.map((x) => `${x.fn}:${x.status}=${x.count}`).sort();
      expect(sorted(await runs.count({ since: t0 }))).toEqual(['a:error=1', 'a:ok=2', 'a:running=1', 'b:error=2', 'b:ok=1', 'b:running=2']);
      expect(sorted(await runs.count({ since: t0 + 6000 }))).toEqual(['a:ok=1', 'b:error=1', 'b:running=1']);
      expect(sorted(await runs.count({ status: 'running' }))).toEqual(['a:running=1', 'b:running=2']);
      expect(sorted(await runs.count({ status: 'error', since: t0 + 1000 }))).toEqual(['a:error=1', 'b:error=1']);
      expect(await runs.count({ since: h.clock.now() + 1 })).toEqual([]);
      expect(await rejection(runs.count({}))).toBeInstanceOf(ValidationError);
      expect(await rejection(runs.count({ status: 'nope' as never }))).toBeInstanceOf(ValidationError);
    });

    it('requestCancel records who asked on a running run; asking again keeps the first; cancelRequests lists it until it ends cancelled', async () => {
      const a = await runs.start({ fn: 'slow', trigger: 'queue:work', recordIds: ['m1'] });
      const b = await runs.start({ fn: 'slow', trigger: 'invoke' });
      expect(await runs.cancelRequests()).toEqual([]);
      const at = h.clock.now();
      const asked = await runs.requestCancel(a.id, { by: 'dashboard' });
      expect(asked).toEqual({ ...a, cancelRequest: { at, by: 'dashboard' } });
      expect(await runs.get(a.id)).toEqual(asked);
      await h.clock.advance(5000);
      expect((await runs.requestCancel(a.id, { by: 'cli' })).cancelRequest).toEqual({ at, by: 'dashboard' });
      const plain = await runs.requestCancel(b.id, { at: at + 1 });
      expect(plain.cancelRequest).toEqual({ at: at + 1 });
      const pending = (await runs.cancelRequests()).sort((x, y) => x.at - y.at);
      expect(pending).toEqual([
        { runId: a.id, at, by: 'dashboard' },
        { runId: b.id, at: at + 1 },
      ]);
      const error = { type: 'Baton.Cancelled', message: `Run ${a.id} was cancelled by dashboard` };
      const done = await runs.finish(a.id, { status: 'cancelled', durationMs: 5000, error });
      expect(done).toMatchObject({ status: 'cancelled', durationMs: 5000, error });
      expect(await runs.get(a.id)).toMatchObject({ status: 'cancelled', error, cancelRequest: { at, by: 'dashboard' } });
      expect((await runs.cancelRequests()).map((r) => r.runId)).toEqual([b.id]);
      expect((await runs.list({ status: 'cancelled' })).map((r) => r.id)).toEqual([a.id]);
      expect((await runs.page({ status: 'cancelled' })).items.map((r) => r.id)).toEqual([a.id]);
      expect(await runs.count({ status: 'cancelled' })).toEqual([{ fn: 'slow', status: 'cancelled', count: 1 }]);
    });

    it('requestCancel refuses a run that has ended (ConditionFailedError naming how) and an unknown run (NotFoundError)', async () => {
      const r = await runs.start({ fn: 'f', trigger: 'invoke' });
      await runs.finish(r.id, { status: 'ok', durationMs: 1 });
      const ended = await rejection(runs.requestCancel(r.id, { by: 'cli' }));
      expect(ended).toBeInstanceOf(ConditionFailedError);
      expect(ended.message).toMatch(new RegExp(`Run "${r.id}" already ended ok`));
      expect((await runs.get(r.id))?.cancelRequest).toBeUndefined();
      const timedOut = await runs.start({ fn: 'f', trigger: 'invoke' });
      await runs.finish(timedOut.id, { status: 'timeout', durationMs: 1 });
      expect((await rejection(runs.requestCancel(timedOut.id))).message).toMatch(/already ended timeout/);
      const missing = await rejection(runs.requestCancel('nope'));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.message).toMatch(/Run "nope" does not exist/);
      expect(await runs.cancelRequests()).toEqual([]);
      // A run asked to cancel that then ended on its own (the request came too late) leaves the requests too.
      const late = await runs.start({ fn: 'f', trigger: 'invoke' });
      await runs.requestCancel(late.id, { by: 'cli' });
      expect((await runs.finish(late.id, { status: 'ok', durationMs: 1 })).status).toBe('ok');
      expect(await runs.cancelRequests()).toEqual([]);
      expect((await runs.get(late.id))?.cancelRequest).toEqual({ at: h.clock.now(), by: 'cli' });
    });

    it('prune removes a run\'s cancel request with the run', async () => {
      const r = await runs.start({ fn: 'f', trigger: 'invoke' });
      await runs.requestCancel(r.id, { by: 'cli' });
      await runs.finish((await runs.start({ fn: 'f', trigger: 'invoke' })).id, { status: 'ok', durationMs: 1 });
      expect((await runs.prune({ keepPerFn: 1, maxAgeMs: Infinity })).runs).toBe(1);
      expect(await runs.get(r.id)).toBeUndefined();
      expect(await runs.cancelRequests()).toEqual([]);
    });

    it('writes made in backend.together (one by one where a backend has none) each take effect or fail alone', async () => {
      const together = h.backend.together?.bind(h.backend) ?? ((work: () => void) => work());
      let first!: Promise<Run>;
      let second!: Promise<Run>;
      let missing!: Promise<Run>;
      together(() => {
        first = runs.start({ id: 'grouped-1', fn: 'f', trigger: 'queue:q', recordIds: ['m1'] });
        missing = runs.finish('no-such-run', { status: 'ok', durationMs: 1 });
        missing.catch(() => undefined);
        second = runs.start({ id: 'grouped-2', fn: 'f', trigger: 'queue:q' });
      });
      expect((await first).status).toBe('running');
      expect((await second).status).toBe('running');
      expect(await rejection(missing)).toBeInstanceOf(NotFoundError);
      let finished!: Promise<Run>;
      together(() => {
        finished = runs.finish('grouped-1', { status: 'ok', durationMs: 2, logs: [line('done')] });
      });
      expect(await finished).toMatchObject({ id: 'grouped-1', status: 'ok', durationMs: 2 });
      expect(await runs.get('grouped-1')).toMatchObject({ status: 'ok', recordIds: ['m1'] });
      expect((await runs.logs('grouped-1')).map((l) => l.message)).toEqual(['done']);
      expect(await runs.get('grouped-2')).toMatchObject({ status: 'running' });
    });

    it('a finished run and its logs survive a reopen', async () => {
      if (!h.reopen) return;
      const r = await runs.start({ fn: 'f', trigger: 'invoke' });
      await runs.finish(r.id, { status: 'ok', durationMs: 3, logs: [line('kept')], recordIds: ['r1'] });
      const b = await h.reopen();
      await h.clock.advance(1000);
      expect(await b.runs.get(r.id)).toMatchObject({ status: 'ok', recordIds: ['r1'] });
      expect((await b.runs.logs(r.id)).map((l) => l.message)).toEqual(['kept']);
      const next = await b.runs.start({ fn: 'f', trigger: 'invoke' });
      await b.runs.appendLogs(next.id, [line('after')]);
      expect((await b.runs.list({ fn: 'f' })).map((x) => x.id)).toEqual([next.id, r.id]);
    });
  });
}
