/**
 * The map ledger's conformance suite (ports/jobs.ts MapLedger): the per-item ledger a map
 * coordinator resumes from. It talks to the backend only through `backend.jobs.maps` and moves
 * time with the harness's fake clock.
 */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { NotFoundError } from '../../src/core/errors.ts';
import type { MapItemStatus, MapLedger } from '../../src/ports/jobs.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

const boom = { name: 'Error', code: 'ERROR', message: 'boom' };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Items as the coordinator adds them: JSON strings. */
const json = (values: readonly unknown[]): string[] => values.map((v) => JSON.stringify(v));
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

export function runMapLedgerConformance(name: string, make: MakeBackend, skips: Skips = {}): void {
  const it = caseFor(skips);

  describe(`map ledger conformance: ${name}`, () => {
    let h: BackendHarness;
    let maps: MapLedger;

    beforeEach(async () => {
      h = await make();
      maps = h.backend.jobs.maps;
    });
    afterEach(async () => {
      await h.close();
    });

    const indexes = async (id: string, status: MapItemStatus) => (await maps.items(id, status, -1, 10_000)).map((r) => r.index);

    it('open creates a loading map, and returns the existing one for the same id', async () => {
      const now = h.clock.now();
      const m = await maps.open({ id: 'm', fn: 'convert', options: { concurrency: 4, source: 'list' } });
      expect(m).toEqual({ id: 'm', fn: 'convert', status: 'loading', loaded: 0, sourceDone: false, options: { concurrency: 4, source: 'list' }, createdAt: now, updatedAt: now });
      expect(await maps.get('m')).toEqual(m);
      await h.clock.advance(1000);
      expect(await maps.open({ id: 'm', fn: 'other', options: { changed: true } })).toEqual(m);
      expect(await maps.get('nope')).toBeUndefined();
      expect(await maps.counts('m')).toEqual({ total: 0, pending: 0, running: 0, succeeded: 0, failed: 0 });
    });

    it('list is newest first, up to a limit', async () => {
      for (const id of ['a', 'b', 'c']) {
        await maps.open({ id, fn: 'f', options: null });
        await h.clock.advance(1000);
      }
      expect((await maps.list()).map((m) => m.id)).toEqual(['c', 'b', 'a']);
      expect((await maps.list(2)).map((m) => m.id)).toEqual(['c', 'b']);
    });

    it('page walks maps newest first by cursor and refuses a malformed cursor', async () => {
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        await maps.open({ id, fn: 'f', options: null });
        await h.clock.advance(1000);
      }
      const out: string[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 10; n++) {
        const p = await maps.page({ limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
        out.push(...p.items.map((m) => m.id));
        if (p.next === null) break;
        cursor = p.next;
      }
      expect(out).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect((await maps.page()).next).toBeNull();
      await expect(maps.page({ cursor: 'nope' })).rejects.toThrow(/cursor/);
    });

    it('addItems is idempotent by index: an index already there is kept as it is', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await h.clock.advance(1000);
      await maps.addItems('m', 0, json(['a', 'b', 'c']), false);
      expect(await maps.get('m')).toMatchObject({ loaded: 3, sourceDone: false, updatedAt: h.clock.now() });
      const [first] = await maps.take('m', 1);
      expect(first).toEqual({ index: 0, item: 'a', attempts: 0 });
      await maps.complete('m', [{ index: 0, status: 'succeeded', attempts: 1, resultJson: '"A"' }]);
      // A coordinator that restarts reads the source again from an earlier point.
      await maps.addItems('m', 1, json(['B?', 'C?', { d: 4 }]), true);
      expect(await maps.get('m')).toMatchObject({ loaded: 4, sourceDone: true });
      expect(await maps.items('m', 'succeeded', -1, 10)).toEqual([{ index: 0, item: 'a', attempts: 1, status: 'succeeded', result: 'A' }]);
      expect((await maps.items('m', 'pending', -1, 10)).map((r) => [r.index, r.item])).toEqual([
        [1, 'b'],
        [2, 'c'],
        [3, { d: 4 }],
      ]);
      await maps.addItems('m', 0, json(['x']), true);
      expect((await maps.get('m'))?.loaded).toBe(4);
      expect(await maps.counts('m')).toEqual({ total: 4, pending: 3, running: 0, succeeded: 1, failed: 0 });
    });

    it('take marks pending items running and returns them lowest index first, never twice', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await maps.addItems('m', 0, json(range(0, 60)), false);
      await maps.addItems('m', 60, json(range(60, 90)), true);
      const a = await maps.take('m', 50);
      expect(a.map((x) => x.index)).toEqual(range(0, 50));
      expect(a[7]).toEqual({ index: 7, item: 7, attempts: 0 });
      await maps.complete('m', [{ index: 3, status: 'pending', attempts: 1 }]);
      const b = await maps.take('m', 200);
      expect(b.map((x) => x.index)).toEqual([3, ...range(50, 100)]);
      expect(b[0]).toEqual({ index: 3, item: 3, attempts: 1 });
      expect(await maps.take('m', 10)).toEqual([]);
      expect(await maps.counts('m')).toEqual({ total: 150, pending: 0, running: 150, succeeded: 0, failed: 0 });
    });

    it('complete records each outcome with its attempts, result or error; counts follow', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await maps.addItems('m', 0, json(range(0, 130)), true);
      await maps.take('m', 130);
      await maps.complete('m', [
        ...range(0, 120).map((index) => ({ index, status: 'succeeded' as const, attempts: 1, resultJson: JSON.stringify({ out: index * 2 }) })),
        { index: 120, status: 'failed', attempts: 3, error: boom },
        { index: 121, status: 'pending', attempts: 1 },
      ]);
      await maps.complete('m', []);
      expect(await maps.counts('m')).toEqual({ total: 130, pending: 1, running: 8, succeeded: 120, failed: 1 });
      expect(await maps.items('m', 'failed', -1, 10)).toEqual([{ index: 120, item: 120, attempts: 3, status: 'failed', error: boom }]);
      expect((await maps.items('m', 'succeeded', 118, 10)).map((r) => [r.index, r.result])).toEqual([
        [119, { out: 238 }],
      ]);
      expect(await indexes('m', 'pending')).toEqual([121]);
      expect(await indexes('m', 'running')).toEqual(range(122, 8));
    });

    it('recover puts running items back to pending and says how many', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await maps.addItems('m', 0, json(range(0, 10)), true);
      await maps.take('m', 6);
      await maps.complete('m', [{ index: 1, status: 'succeeded', attempts: 1 }]);
      expect(await maps.recover('m')).toBe(5);
      expect(await maps.recover('m')).toBe(0);
      expect(await maps.counts('m')).toEqual({ total: 10, pending: 9, running: 0, succeeded: 1, failed: 0 });
      expect((await maps.take('m', 3)).map((x) => x.index)).toEqual([0, 2, 3]);
    });

    it('items pages through one status by index after a given index', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await maps.addItems('m', 0, json(range(0, 25).map((i) => ({ i }))), true);
      await maps.take('m', 25);
      await maps.complete('m', range(0, 25).map((index) => (index % 5 === 0 ? { index, status: 'failed' as const, attempts: 2, error: boom } : { index, status: 'succeeded' as const, attempts: 1, resultJson: String(index) })));
      const pages: number[][] = [];
      for (let after = -1; ; ) {
        const page = await maps.items('m', 'succeeded', after, 7);
        if (!page.length) break;
        pages.push(page.map((r) => r.index));
        after = page[page.length - 1]!.index;
      }
      expect(pages).toEqual([
        [1, 2, 3, 4, 6, 7, 8],
        [9, 11, 12, 13, 14, 16, 17],
        [18, 19, 21, 22, 23, 24],
      ]);
      expect((await maps.items('m', 'failed', 5, 2)).map((r) => ({ index: r.index, item: r.item, error: r.error }))).toEqual([
        { index: 10, item: { i: 10 }, error: boom },
        { index: 15, item: { i: 15 }, error: boom },
      ]);
      expect(await maps.items('m', 'pending', -1, 10)).toEqual([]);
    });

    it('setStatus changes the status with its error and manifest; the manifest stays once written', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await h.clock.advance(1000);
      expect(await maps.setStatus('m', 'running')).toMatchObject({ status: 'running', updatedAt: h.clock.now() });
      const manifest = { bucket: 'out', key: 'maps/m/manifest.json' };
      const failed = await maps.setStatus('m', 'failed', { error: boom, manifest });
      expect(failed).toMatchObject({ status: 'failed', error: boom, manifest });
      expect(await maps.get('m')).toEqual(failed);
      const again = await maps.setStatus('m', 'succeeded');
      expect(again.manifest).toEqual(manifest);
      expect(again.error).toBeUndefined();
      expect(await rejection(maps.setStatus('nope', 'cancelled'))).toBeInstanceOf(NotFoundError);
    });

    it('redrive puts failed items back to pending with their attempts reset and says how many', async () => {
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await maps.addItems('m', 0, json(range(0, 8)), true);
      await maps.take('m', 8);
      await maps.complete('m', range(0, 8).map((index) => (index < 3 ? { index, status: 'failed' as const, attempts: 3, error: boom } : { index, status: 'succeeded' as const, attempts: 1 })));
      expect(await maps.redrive('m')).toBe(3);
      expect(await maps.redrive('m')).toBe(0);
      expect(await maps.counts('m')).toEqual({ total: 8, pending: 3, running: 0, succeeded: 5, failed: 0 });
      const back = await maps.items('m', 'pending', -1, 10);
      expect(back).toEqual(range(0, 3).map((index) => ({ index, item: index, attempts: 0, status: 'pending' })));
      expect(await maps.take('m', 10)).toEqual(range(0, 3).map((index) => ({ index, item: index, attempts: 0 })));
    });

    it('two maps keep separate ledgers', async () => {
      await maps.open({ id: 'a', fn: 'f', options: {} });
      await maps.open({ id: 'b', fn: 'f', options: {} });
      await maps.addItems('a', 0, json(['a0', 'a1']), true);
      await maps.addItems('b', 0, json(['b0']), true);
      expect(await maps.take('b', 10)).toEqual([{ index: 0, item: 'b0', attempts: 0 }]);
      expect(await maps.counts('a')).toEqual({ total: 2, pending: 2, running: 0, succeeded: 0, failed: 0 });
      expect(await maps.counts('nope')).toEqual({ total: 0, pending: 0, running: 0, succeeded: 0, failed: 0 });
    });
  });
}
