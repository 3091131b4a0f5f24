/**
 * The job store port's conformance suite (ports/jobs.ts JobStore, without the map ledger, which
 * has its own in map-ledger.ts): job states, claims, the relay fence on every handler-side write,
 * and the step journal. It talks to the backend only through `backend.jobs` and moves time with
 * the harness's fake clock.
 */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';
import { ConditionFailedError, NotFoundError, StaleReceiptError, ValidationError } from '../../src/core/errors.ts';
import type { JobStore, StepEntry } from '../../src/ports/jobs.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

const budget = { maxRelays: 10, maxFailures: 2 };
const boom = { name: 'Error', code: 'ERROR', message: 'boom' };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function runJobStoreConformance(name: string, make: MakeBackend, skips: Skips = {}): void {
  const it = caseFor(skips);

  describe(`job store conformance: ${name}`, () => {
    let h: BackendHarness;
    let jobs: JobStore;

    beforeEach(async () => {
      h = await make();
      jobs = h.backend.jobs;
    });
    afterEach(async () => {
      await h.close();
    });

    /** A job claimed once: running at relay 1. */
    async function running(id: string): Promise<void> {
      await jobs.create({ id, fn: 'f', executor: 'function', budget });
      expect((await jobs.claim(id))?.relay).toBe(1);
    }

    it('create makes a queued job due now at relay 0; get returns it, or undefined for an unknown id', async () => {
      const now = h.clock.now();
      const job = await jobs.create({ id: 'j', fn: 'etl', input: { file: 'a.csv', n: [1, 2] }, executor: 'container', budget });
      expect(job).toEqual({ id: 'j', fn: 'etl', status: 'queued', input: { file: 'a.csv', n: [1, 2] }, checkpointSeq: 0, relay: 0, failures: 0, stalls: 0, executor: 'container', wakeAt: now, budget, createdAt: now, updatedAt: now });
      expect(await jobs.get('j')).toEqual(job);
      const fresh = await jobs.create({ fn: 'etl', executor: 'function', budget });
      expect(fresh.id).toMatch(/\S/);
      expect(fresh.input).toBeUndefined();
      expect(await jobs.get(fresh.id)).toEqual(fresh);
      expect(await jobs.get('nope')).toBeUndefined();
    });

    it('create with an id that exists is a ConditionFailedError naming the id, and leaves the job as it was', async () => {
      await running('dup');
      const err = await rejection(jobs.create({ id: 'dup', fn: 'other', executor: 'function', budget }));
      expect(err).toBeInstanceOf(ConditionFailedError);
      expect(err.message).toMatch(/job "dup" already exists/);
      expect(await jobs.get('dup')).toMatchObject({ fn: 'f', status: 'running', relay: 1 });
    });

    it('list is newest first, filtered by status and fn, with a limit', async () => {
      for (let i = 1; i <= 5; i++) {
        await jobs.create({ id: `j${i}`, fn: i % 2 ? 'odd' : 'even', executor: 'function', budget });
        await h.clock.advance(1000);
      }
      await jobs.claim('j2');
      await jobs.cancel('j3');
      const ids = async (f?: Parameters<JobStore['list']>[0]) => (await jobs.list(f)).map((j) => j.id);
      expect(await ids()).toEqual(['j5', 'j4', 'j3', 'j2', 'j1']);
      expect(await ids({ fn: 'odd' })).toEqual(['j5', 'j3', 'j1']);
      expect(await ids({ status: 'queued' })).toEqual(['j5', 'j4', 'j1']);
      expect(await ids({ status: 'queued', fn: 'even' })).toEqual(['j4']);
      expect(await ids({ status: 'running' })).toEqual(['j2']);
      expect(await ids({ limit: 2 })).toEqual(['j5', 'j4']);
      expect(await ids({ status: 'queued', limit: 2 })).toEqual(['j5', 'j4']);
    });

    it('page walks jobs newest first by cursor, filtered by status and fn, and refuses a malformed cursor', async () => {
      for (let i = 1; i <= 7; i++) {
        await jobs.create({ id: `j${i}`, fn: i % 2 ? 'odd' : 'even', executor: 'function', budget });
        if (i !== 4) await h.clock.advance(1000); // j4 and j5 share a millisecond
      }
      await jobs.cancel('j3');
      const walk = async (f: Parameters<JobStore['page']>[0]) => {
        const out: string[] = [];
        let cursor: string | undefined;
        for (let n = 0; n < 20; n++) {
          const p = await jobs.page({ ...f, ...(cursor !== undefined ? { cursor } : {}) });
          out.push(...p.items.map((j) => j.id));
          if (p.next === null) return out;
          cursor = p.next;
        }
        throw new Error('page never ended');
      };
      expect(await walk({ limit: 3 })).toEqual(['j7', 'j6', 'j5', 'j4', 'j3', 'j2', 'j1']);
      expect(await walk({ limit: 1, fn: 'odd' })).toEqual(['j7', 'j5', 'j3', 'j1']);
      expect(await walk({ limit: 2, status: 'queued', fn: 'odd' })).toEqual(['j7', 'j5', 'j1']);
      expect(await walk({ status: 'cancelled' })).toEqual(['j3']);
      expect(await rejection(jobs.page({ cursor: 'nope' }))).toBeInstanceOf(ValidationError);
      expect(await rejection(jobs.page({ status: 'done' as never }))).toBeInstanceOf(ValidationError);
    });

    it('claim takes a queued job as the next relay, and a running one again (its relay died); nothing else', async () => {
      await jobs.create({ id: 'j', fn: 'f', executor: 'function', budget });
      await h.clock.advance(5000);
      const first = await jobs.claim('j');
      expect(first).toMatchObject({ status: 'running', relay: 1, updatedAt: h.clock.now() });
      expect(first?.wakeAt).toBeUndefined();
      expect((await jobs.claim('j'))?.relay).toBe(2);
      await jobs.settle('j', 2, { kind: 'succeeded', result: 'r' });
      expect(await jobs.claim('j')).toBeUndefined();
      expect(await jobs.claim('nope')).toBeUndefined();
      await jobs.create({ id: 'c', fn: 'f', executor: 'function', budget });
      await jobs.cancel('c');
      expect(await jobs.claim('c')).toBeUndefined();
      expect((await jobs.get('c'))?.relay).toBe(0);
    });

    it('settle ends the current relay: succeeded with its result, failed with its error', async () => {
      await running('s');
      await h.clock.advance(1000);
      const done = await jobs.settle('s', 1, { kind: 'succeeded', result: { rows: 3 } });
      expect(done).toMatchObject({ status: 'succeeded', result: { rows: 3 }, relay: 1, updatedAt: h.clock.now() });
      expect(done.wakeAt).toBeUndefined();
      expect(await jobs.get('s')).toEqual(done);
      await running('f');
      const failed = await jobs.settle('f', 1, { kind: 'failed', error: boom, failures: 2 });
      expect(failed).toMatchObject({ status: 'failed', error: boom, failures: 2 });
      expect(await jobs.get('f')).toEqual(failed);
    });

    it('settle queued sets the wake time and why, and the counters and executor it is given', async () => {
      await running('q');
      const wakeAt = h.clock.now() + 60_000;
      const q = await jobs.settle('q', 1, { kind: 'queued', wakeAt, waitingFor: 'sleep:nap', failures: 1, stalls: 2, executor: 'container' });
      expect(q).toMatchObject({ status: 'queued', wakeAt, waitingFor: 'sleep:nap', failures: 1, stalls: 2, executor: 'container', relay: 1 });
      expect(await jobs.get('q')).toEqual(q);
      const again = await jobs.claim('q');
      expect(again).toMatchObject({ status: 'running', relay: 2, failures: 1, stalls: 2, executor: 'container' });
      expect(again?.waitingFor).toBeUndefined();
      const plain = await jobs.settle('q', 2, { kind: 'queued', wakeAt });
      expect(plain).toMatchObject({ status: 'queued', wakeAt, failures: 1, stalls: 2, executor: 'container' });
      expect(plain.waitingFor).toBeUndefined();
    });

    it('settle from a stale relay, or after a cancel, changes nothing and returns the job as it is', async () => {
      await running('j');
      await jobs.claim('j');
      const before = await jobs.get('j');
      await h.clock.advance(1000);
      expect(await jobs.settle('j', 1, { kind: 'succeeded', result: 1 })).toEqual(before);
      expect(await jobs.settle('j', 3, { kind: 'failed', error: boom })).toEqual(before);
      const cancelled = await jobs.cancel('j');
      expect(await jobs.settle('j', 2, { kind: 'succeeded', result: 1 })).toEqual(cancelled);
      expect(await rejection(jobs.settle('nope', 1, { kind: 'succeeded', result: 1 }))).toBeInstanceOf(NotFoundError);
    });

    it('cancel ends a queued or running job; a finished job is returned as it was', async () => {
      await jobs.create({ id: 'q', fn: 'f', executor: 'function', budget });
      await h.clock.advance(1000);
      const c = await jobs.cancel('q');
      expect(c).toMatchObject({ status: 'cancelled', updatedAt: h.clock.now() });
      expect(c.wakeAt).toBeUndefined();
      await running('r');
      expect((await jobs.cancel('r')).status).toBe('cancelled');
      await running('s');
      const done = await jobs.settle('s', 1, { kind: 'succeeded', result: null });
      expect(await jobs.cancel('s')).toEqual(done);
      expect(await jobs.cancel('q')).toEqual(c);
      expect(await rejection(jobs.cancel('nope'))).toBeInstanceOf(NotFoundError);
    });

    it('due returns queued jobs due by now, earliest wake time first, up to a limit', async () => {
      const t0 = h.clock.now();
      await jobs.create({ id: 'new', fn: 'f', executor: 'function', budget }); // due at t0
      await running('later');
      await jobs.settle('later', 1, { kind: 'queued', wakeAt: t0 + 30_000 });
      await running('soon');
      await jobs.settle('soon', 1, { kind: 'queued', wakeAt: t0 + 10_000 });
      await running('past');
      await jobs.settle('past', 1, { kind: 'queued', wakeAt: t0 - 5_000 });
      await running('busy');
      await running('gone');
      await jobs.settle('gone', 1, { kind: 'succeeded', result: 1 });
      const ids = async (now: number, limit?: number) => (await jobs.due(now, limit)).map((j) => j.id);
      expect(await ids(t0)).toEqual(['past', 'new']);
      expect(await ids(t0 + 10_000)).toEqual(['past', 'new', 'soon']);
      expect(await ids(t0 + 60_000)).toEqual(['past', 'new', 'soon', 'later']);
      expect(await ids(t0 + 60_000, 2)).toEqual(['past', 'new']);
      await jobs.claim('past');
      await jobs.cancel('new');
      expect(await ids(t0 + 60_000)).toEqual(['soon', 'later']);
      expect((await jobs.due(t0 + 60_000))[0]).toEqual(await jobs.get('soon'));
    });

    it('checkpoint saves the value and progress and bumps checkpointSeq, for the current relay only', async () => {
      await running('j');
      await jobs.checkpoint('j', 1, '{"cursor":"a"}', { done: 5, total: 100 });
      expect(await jobs.get('j')).toMatchObject({ checkpoint: { cursor: 'a' }, checkpointSeq: 1, progress: { done: 5, total: 100 } });
      await jobs.checkpoint('j', 1, '{"cursor":"b"}');
      expect(await jobs.get('j')).toMatchObject({ checkpoint: { cursor: 'b' }, checkpointSeq: 2, progress: { done: 5, total: 100 } });
      await jobs.settle('j', 1, { kind: 'queued', wakeAt: h.clock.now() });
      const next = await jobs.claim('j');
      expect(next).toMatchObject({ relay: 2, checkpoint: { cursor: 'b' }, checkpointSeq: 2 });
    });

    it('a stale relay gets StaleReceiptError and its checkpoint, progress or step is not saved', async () => {
      await running('j');
      await jobs.checkpoint('j', 1, '"a"');
      await jobs.claim('j'); // the runner gave up on relay 1 and claimed relay 2
      const stale = await rejection(jobs.checkpoint('j', 1, '"stale"'));
      expect(stale).toBeInstanceOf(StaleReceiptError);
      expect(stale.message).toContain('job "j": relay 1 is no longer current (relay 2 is); its checkpoint was not saved.');
      expect(await rejection(jobs.progress('j', 1, { done: 9 }))).toBeInstanceOf(StaleReceiptError);
      const step = await rejection(jobs.journal('j', 1, { position: 0, name: 's', status: 'done', attempts: 1, resultJson: '1' }));
      expect(step).toBeInstanceOf(StaleReceiptError);
      expect(step.message).toContain('its step "s" was not saved');
      expect(await rejection(jobs.checkpoint('j', 3, '"future"'))).toBeInstanceOf(StaleReceiptError);
      expect(await jobs.get('j')).toMatchObject({ checkpoint: 'a', checkpointSeq: 1 });
      expect((await jobs.get('j'))?.progress).toBeUndefined();
      expect(await jobs.steps('j')).toEqual([]);
      await jobs.checkpoint('j', 2, '"b"');
      expect((await jobs.get('j'))?.checkpoint).toBe('b');
    });

    it('a cancelled or finished job gets ConditionFailedError for every handler-side write', async () => {
      await running('c');
      await jobs.checkpoint('c', 1, '"kept"');
      await jobs.cancel('c');
      const cp = await rejection(jobs.checkpoint('c', 1, '"late"'));
      expect(cp).toBeInstanceOf(ConditionFailedError);
      expect(cp.message).toContain('job "c" was cancelled; its checkpoint was not saved and this relay should end.');
      expect(await rejection(jobs.progress('c', 1, { done: 1 }))).toBeInstanceOf(ConditionFailedError);
      const step = await rejection(jobs.journal('c', 1, { position: 0, name: 's', status: 'done', attempts: 1 }));
      expect(step).toBeInstanceOf(ConditionFailedError);
      expect(step.message).toMatch(/job "c" was cancelled; its step "s" was not saved/);
      expect((await jobs.get('c'))?.checkpoint).toBe('kept');
      await running('d');
      await jobs.settle('d', 1, { kind: 'succeeded', result: 1 });
      const late = await rejection(jobs.checkpoint('d', 1, '"late"'));
      expect(late).toBeInstanceOf(ConditionFailedError);
      expect(late.message).toContain('job "d" has already succeeded');
      expect(await rejection(jobs.checkpoint('nope', 1, '"x"'))).toBeInstanceOf(NotFoundError);
    });

    it('progress sets done, and total when given, for the current relay', async () => {
      await running('p');
      await jobs.progress('p', 1, { done: 1, total: 10 });
      await jobs.progress('p', 1, { done: 4 });
      expect((await jobs.get('p'))?.progress).toEqual({ done: 4, total: 10 });
      expect((await jobs.get('p'))?.checkpointSeq).toBe(0);
    });

    it('the journal keeps steps in position order, one per position, the newest write winning', async () => {
      await running('j');
      const s = (position: number, over: Partial<StepEntry> = {}): StepEntry => ({ position, name: `step${position}`, status: 'done', attempts: 1, resultJson: `{"p":${position}}`, ...over });
      await jobs.journal('j', 1, s(2));
      await jobs.journal('j', 1, s(0, { startedAt: 5 }));
      await jobs.journal('j', 1, s(1, { status: 'waiting', resultJson: undefined, wakeAt: 99, attempts: 0 }));
      await jobs.journal('j', 1, s(3, { status: 'failed', resultJson: undefined, error: boom, attempts: 4 }));
      await jobs.journal('j', 1, s(4, { resultJson: undefined, resultRef: { bucket: 'baton-jobs', key: 'jobs/j/steps/4.json' } }));
      await jobs.journal('j', 1, s(1, { resultJson: '"woke"', attempts: 1 }));
      const steps = await jobs.steps('j');
      expect(steps.map((x) => x.position)).toEqual([0, 1, 2, 3, 4]);
      expect(steps[0]).toEqual({ position: 0, name: 'step0', status: 'done', attempts: 1, resultJson: '{"p":0}', startedAt: 5 });
      expect(steps[1]).toEqual({ position: 1, name: 'step1', status: 'done', attempts: 1, resultJson: '"woke"' });
      expect(steps[3]).toEqual({ position: 3, name: 'step3', status: 'failed', attempts: 4, error: boom });
      expect(steps[4]).toEqual({ position: 4, name: 'step4', status: 'done', attempts: 1, resultRef: { bucket: 'baton-jobs', key: 'jobs/j/steps/4.json' } });
      await running('other');
      expect(await jobs.steps('other')).toEqual([]);
      expect(await jobs.steps('nope')).toEqual([]);
    });

    it('a checkpoint as large as the default limit is kept whole', async () => {
      await running('big');
      const value = 'x'.repeat(defaults.jobs.maxCheckpointBytes - 2);
      await jobs.checkpoint('big', 1, JSON.stringify(value));
      expect((await jobs.get('big'))?.checkpoint).toBe(value);
    });
  });
}
