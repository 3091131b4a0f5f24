import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { Catalog } from '../../src/data/catalog/index.ts';
import { query } from '../../src/data/query.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { putParquet } from './parquet.ts';

let t: TestBackend;
let catalog: Catalog;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
  catalog = await Catalog.open(t.backend.objects);
  for (const name of ['good', 'sales']) {
    await catalog.putTable({ name, location: { bucket: 'lake', prefix: `${name}/` }, partitionKeys: ['dt'], columns: [{ name: 'id', type: 'BIGINT' }] });
  }
  await putParquet(t.backend.objects, 'lake', 'good/dt=2026-01-01/a.parquet', 0, 10);
  await catalog.putPartition('good', { values: { dt: '2026-01-01' }, files: ['good/dt=2026-01-01/a.parquet'], rows: 10, bytes: 1, updatedAt: 1 });
});
afterEach(async () => t.close());

describe('a broken catalog table', { timeout: 60_000 }, () => {
  it('putPartition refuses a file that is not Parquet, naming it', async () => {
    await t.backend.objects.put('lake', 'sales/dt=2026-01-01/a.csv', 'id,amount\n1,2\n');
    const err = await catalog.putPartition('sales', { values: { dt: '2026-01-01' }, files: ['sales/dt=2026-01-01/a.csv'], rows: 1, bytes: 1, updatedAt: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/Catalog table "sales": a partition can only list Parquet files, and this one is not: "sales\/dt=2026-01-01\/a\.csv" \(it does not start with the Parquet magic bytes PAR1/);
    expect(await catalog.partitions('sales')).toEqual([]);
  });

  it('a file corrupted after registration fails only the queries that use its table, with its name', async () => {
    await putParquet(t.backend.objects, 'lake', 'sales/dt=2026-01-01/a.parquet', 0, 5);
    await catalog.putPartition('sales', { values: { dt: '2026-01-01' }, files: ['sales/dt=2026-01-01/a.parquet'], rows: 5, bytes: 1, updatedAt: 1 });
    // Overwritten in place behind the catalog's back (a bad upload, a truncated copy).
    writeFileSync(t.backend.objects.localPath!('lake', 'sales/dt=2026-01-01/a.parquet')!, 'not parquet at all');

    expect((await query(catalog, 'SELECT count(*) AS n FROM good')).rows).toEqual([{ n: 10 }]);
    const err = await query(catalog, 'SELECT count(*) AS n FROM sales').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/uses catalog table "sales", which cannot be read: its file "sales\/dt=2026-01-01\/a\.parquet" in bucket "lake" is not Parquet/);
  });
});
