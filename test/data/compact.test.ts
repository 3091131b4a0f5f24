import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/data/catalog/index.ts';
import { compact, type CompactOptions } from '../../src/data/compact/index.ts';
import { query } from '../../src/data/query.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { putParquet } from './parquet.ts';

let t: TestBackend;
let catalog: Catalog;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
  catalog = await Catalog.open(t.backend.objects);
});
afterEach(async () => t.close());

const H7 = '2026/01/01/07/';
const H8 = '2026/01/01/08/';

function options(extra: Partial<CompactOptions> = {}): CompactOptions {
  return { source: { bucket: 'lake', prefix: 'staging/' }, destination: { bucket: 'lake', prefix: 'events/' }, period: 'hour', completeness: { expected: 3 }, catalog: { catalog, table: 'events' }, clock: t.clock, ...extra };
}

async function totals(): Promise<{ n: number; ids: number; distinct: number }> {
  const r = await query(catalog, 'SELECT count(*) AS n, sum(id) AS ids, count(DISTINCT id) AS "distinct" FROM events WHERE dt = ?', ['2026-01-01']);
  return r.rows[0] as { n: number; ids: number; distinct: number };
}

const sumTo = (n: number) => (n * (n - 1)) / 2;

async function stagingKeys(): Promise<string[]> {
  return (await t.backend.objects.list('lake', { prefix: 'staging/' })).objects.map((o) => o.key);
}

describe('compaction', () => {
  it('compacts a complete hour into one file, waits on an incomplete one, and a re-run changes nothing', async () => {
    for (let i = 0; i < 3; i++) await putParquet(t.backend.objects, 'lake', `staging/${H7}f${i}.parquet`, i * 100, (i + 1) * 100);
    await putParquet(t.backend.objects, 'lake', `staging/${H8}f0.parquet`, 300, 400);
    const r = await compact(t.backend.objects, options());
    expect(r.hours.map((h) => [h.hour, h.status, h.rows])).toEqual([
      ['2026-01-01T07h', 'compacted', 300],
      ['2026-01-01T08h', 'waiting', 0],
    ]);
    expect(r.hours[1]!.reason).toBe('2026-01-01T08h is not complete: 1 of 3 expected files are there.');
    expect(r.hours[0]!.files).toEqual(['events/dt=2026-01-01/hour=07/part-1-0.parquet']);
    expect(await totals()).toEqual({ n: 300, ids: sumTo(300), distinct: 300 });
    expect(await stagingKeys()).toEqual([`staging/${H8}f0.parquet`]);
    const parts = await catalog.partitions('events');
    expect(parts).toMatchObject([{ values: { dt: '2026-01-01', hour: '07' }, rows: 300, files: ['events/dt=2026-01-01/hour=07/part-1-0.parquet'] }]);
    expect(parts[0]!.bytes).toBeGreaterThan(0);

    const again = await compact(t.backend.objects, options());
    expect(again.hours.map((h) => h.status)).toEqual(['waiting']);
    expect(await totals()).toEqual({ n: 300, ids: sumTo(300), distinct: 300 });
    expect(await catalog.partitions('events')).toEqual(parts);
  });

  it('merges a late file into its compacted hour exactly once', async () => {
    for (let i = 0; i < 3; i++) await putParquet(t.backend.objects, 'lake', `staging/${H7}f${i}.parquet`, i * 100, (i + 1) * 100);
    await compact(t.backend.objects, options());
    await putParquet(t.backend.objects, 'lake', `staging/${H7}late.parquet`, 300, 350);
    const r = await compact(t.backend.objects, options());
    expect(r.hours).toMatchObject([{ status: 'merged-late', merged: 1, rows: 350, files: ['events/dt=2026-01-01/hour=07/part-2-0.parquet'] }]);
    expect(await totals()).toEqual({ n: 350, ids: sumTo(350), distinct: 350 });
    const files = (await t.backend.objects.list('lake', { prefix: 'events/' })).objects.map((o) => o.key);
    expect(files).toEqual(['events/dt=2026-01-01/hour=07/_manifest.json', 'events/dt=2026-01-01/hour=07/part-2-0.parquet']);
    expect((await compact(t.backend.objects, options())).hours).toEqual([]);
    expect(await totals()).toEqual({ n: 350, ids: sumTo(350), distinct: 350 });
  });

  for (const step of ['written', 'committed', 'registered'] as const) {
    it(`recovers from a crash after the "${step}" step without duplicating rows`, async () => {
      for (let i = 0; i < 3; i++) await putParquet(t.backend.objects, 'lake', `staging/${H7}f${i}.parquet`, i * 100, (i + 1) * 100);
      await compact(t.backend.objects, options());
      await putParquet(t.backend.objects, 'lake', `staging/${H7}late.parquet`, 300, 400);
      const crash = options({
        onStep: (s) => {
          if (s === step) throw new Error(`crash after ${s}`);
        },
      });
      await expect(compact(t.backend.objects, crash)).rejects.toThrow(`crash after ${step}`);
      // Queries see the old state or the new one, never both.
      expect([300, 400]).toContain((await totals()).n);
      const r = await compact(t.backend.objects, options());
      expect(r.hours[0]!.status).toBe(step === 'written' ? 'merged-late' : 'up-to-date');
      expect(await totals()).toEqual({ n: 400, ids: sumTo(400), distinct: 400 });
      expect(await stagingKeys()).toEqual([]);
      const files = (await t.backend.objects.list('lake', { prefix: 'events/' })).objects.map((o) => o.key).filter((k) => k.endsWith('.parquet'));
      expect(files).toEqual(['events/dt=2026-01-01/hour=07/part-2-0.parquet']);
    });
  }

  it('splits an hour past the target file size, and still counts every row once', async () => {
    // DuckDB checks the size after each row group (122,880 rows), so the split needs a few of them.
    for (let i = 0; i < 3; i++) await putParquet(t.backend.objects, 'lake', `staging/${H7}f${i}.parquet`, i * 100_000, (i + 1) * 100_000);
    const r = await compact(t.backend.objects, options({ targetFileSize: 100_000 }));
    expect(r.hours[0]!.files.length).toBeGreaterThan(1);
    expect(r.hours[0]!.files.every((f) => /^events\/dt=2026-01-01\/hour=07\/part-1-\d+\.parquet$/.test(f))).toBe(true);
    expect(await totals()).toEqual({ n: 300_000, ids: sumTo(300_000), distinct: 300_000 });
  });

  it('waits for a watermark with grace, or for named files', async () => {
    await putParquet(t.backend.objects, 'lake', `staging/${H7}a.parquet`, 0, 10);
    await t.clock.set(Date.UTC(2026, 0, 1, 8, 10));
    const wait = await compact(t.backend.objects, options({ completeness: { graceMs: 20 * 60_000 } }));
    expect(wait.hours[0]!.reason).toMatch(/complete once the watermark reaches 2026-01-01T08:20:00.000Z \(it is at 2026-01-01T08:10:00.000Z\)/);
    const named = await compact(t.backend.objects, options({ completeness: { names: () => [`${H7}a.parquet`, `${H7}b.parquet`] } }));
    expect(named.hours[0]!.reason).toMatch(/waiting for 1 named file\(s\): 2026\/01\/01\/07\/b.parquet/);
    await t.clock.set(Date.UTC(2026, 0, 1, 8, 20));
    expect((await compact(t.backend.objects, options({ completeness: { graceMs: 20 * 60_000 } }))).hours[0]!.status).toBe('compacted');
  });
});
