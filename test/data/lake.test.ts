// Seed 003 in miniature: firehose → hourly JSON-lines objects → standardize → compaction → SQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { firehose } from '../../src/core/resources/firehose.ts';
import { Catalog } from '../../src/data/catalog/index.ts';
import { compact } from '../../src/data/compact/index.ts';
import { Firehose } from '../../src/data/firehose/index.ts';
import { query } from '../../src/data/query.ts';
import { standardize } from '../../src/data/standardize/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { sql } from './sql.ts';

const schema = z.object({ id: z.int(), user: z.string(), amount: z.number(), kind: z.enum(['view', 'buy']) });

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
});
afterEach(async () => t.close());

async function standardizeAll(): Promise<number> {
  let rejected = 0;
  for (const o of (await t.backend.objects.list('lake', { prefix: 'raw/2026/' })).objects) {
    const base = o.key.slice('raw/'.length).replace(/\.jsonl\.gz$/, '');
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: o.key }, schema, output: { bucket: 'lake', key: `staging/${base}.parquet` }, rejected: { bucket: 'lake', key: `rejected/${base}.jsonl` } });
    rejected += r.rejected;
    await t.backend.objects.delete('lake', o.key);
  }
  return rejected;
}

describe('the lake end to end', () => {
  it('buffers, standardizes, compacts hourly with a late file, and answers SQL with the right sums', async () => {
    const hose = new Firehose(t.backend, firehose('clicks', { destination: { bucket: 'lake', prefix: 'raw/' }, buffer: { size: 16384 } }).config);
    const catalog = await Catalog.open(t.backend.objects);
    let id = 0;
    const put = async (n: number) => {
      for (let i = 0; i < n; i += 50) await hose.putRecordBatch(Array.from({ length: 50 }, () => ({ id: id, user: `u${id % 7}`, amount: id++, kind: id % 2 ? 'view' : 'buy' })));
    };
    await t.clock.set(Date.UTC(2026, 0, 1, 7, 10));
    await put(500);
    await hose.putRecord('{"id": "bad", "user": "u", "amount": 1, "kind": "view"}');
    await t.clock.set(Date.UTC(2026, 0, 1, 8, 5));
    await put(300);
    await hose.flush();
    expect(await standardizeAll()).toBe(1);

    const options = { source: { bucket: 'lake', prefix: 'staging/' }, destination: { bucket: 'lake', prefix: 'events/' }, period: 'hour' as const, completeness: { graceMs: 20 * 60_000 }, catalog: { catalog, table: 'events' }, clock: t.clock };
    await t.clock.set(Date.UTC(2026, 0, 1, 8, 20));
    const first = await compact(t.backend.objects, options);
    expect(first.hours.map((h) => [h.hour, h.status, h.rows])).toEqual([
      ['2026-01-01T07h', 'compacted', 500],
      ['2026-01-01T08h', 'waiting', 0],
    ]);

    // A late file for 07h (say a standardize output redriven after a fix), once 07h is compacted.
    await hose.close();
    const from = (await t.backend.objects.list('lake', { prefix: 'staging/2026/01/01/08/' })).objects[0]!.key;
    await t.backend.objects.copy({ bucket: 'lake', key: from }, { bucket: 'lake', key: 'staging/2026/01/01/07/late.parquet' });
    const [lateFile] = await sql(`SELECT count(*) AS n, sum(amount) AS total FROM read_parquet('${t.backend.objects.localPath!('lake', 'staging/2026/01/01/07/late.parquet')}')`);
    await t.clock.set(Date.UTC(2026, 0, 1, 9, 20));
    const second = await compact(t.backend.objects, options);
    expect(second.hours.find((h) => h.hour === '2026-01-01T07h')).toMatchObject({ status: 'merged-late', merged: 1, rows: 500 + Number(lateFile!['n']) });
    const sums = await query(catalog, 'SELECT hour, count(*) AS n, sum(amount) AS total FROM events GROUP BY hour ORDER BY hour');
    expect(sums.rows).toEqual([
      { hour: 7, n: 500 + Number(lateFile!['n']), total: (499 * 500) / 2 + Number(lateFile!['total']) },
      { hour: 8, n: 300, total: ((500 + 799) * 300) / 2 },
    ]);
    // Re-running changes nothing.
    expect((await compact(t.backend.objects, options)).hours).toEqual([]);
    const again = await query(catalog, 'SELECT count(*) AS n FROM events WHERE amount >= $min', { min: 0 });
    expect(again.rows).toEqual([{ n: 800 + Number(lateFile!['n']) }]);
  });
});
