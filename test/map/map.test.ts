import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createRoutingExecutor } from '../../src/runtime/container/index.ts';
import { map, redriveMap, type MapProgress } from '../../src/runtime/map/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { read } from '../fixtures/jobs/sink.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jobs');
const executor = createRoutingExecutor({ root });
let t: TestBackend;
beforeAll(() => {
  t = makeLocalBackend();
});
afterAll(async () => {
  await executor.close();
  await t.close();
});

const deps = (env: Record<string, string> = {}) => ({
  backend: t.backend,
  executor,
  fns: [fn('unit', './map-unit.ts', { env }).config, fn('batch', './map-unit.ts', { handler: 'batch', env }).config, fn('partial', './map-unit.ts', { handler: 'partial', env }).config],
});
const text = async (bucket: string, key: string) => (await t.backend.objects.get(bucket, key)).body.toString('utf8');
const jsonl = async (bucket: string, key: string) => (await text(bucket, key)).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('map coordinator', () => {
  it('runs a function over items in batches with bounded concurrency; results and a manifest go to objects', async () => {
    const sink = join(t.dir, 'map1.db');
    const items = Array.from({ length: 300 }, (_, i) => ({ id: i }));
    const seen: MapProgress[] = [];
    const s = await map(deps({ SINK: sink }), 'batch', items, { id: 'm1', concurrency: 4, batchSize: 10, recordRuns: true, onProgress: (p) => seen.push(p) });
    expect(s).toMatchObject({ status: 'succeeded', counts: { total: 300, succeeded: 300, failed: 0, pending: 0, running: 0 } });
    expect(read(sink)).toMatchObject({ effects: 300, calls: 300 });
    const ok = await jsonl(s.outputs!.succeeded.bucket, s.outputs!.succeeded.key);
    expect(ok).toHaveLength(300);
    expect(ok[7]).toEqual({ index: 7, item: { id: 7 }, result: { id: 7, executor: 'function' } });
    expect(JSON.parse(await text(s.outputs!.manifest.bucket, s.outputs!.manifest.key))).toMatchObject({ id: 'm1', fn: 'batch', status: 'succeeded', counts: { succeeded: 300 }, files: { succeeded: 'maps/m1/succeeded.jsonl', failed: 'maps/m1/failed.jsonl' } });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', succeeded: 300 });
    expect(await t.backend.runs.list({ trigger: 'map:m1', limit: 100 })).toHaveLength(30);
    // Starting it again returns the summary without running anything.
    expect((await map(deps({ SINK: sink }), 'batch', items, { id: 'm1' })).status).toBe('succeeded');
    expect(read(sink).calls).toBe(300);
  });

  it('finishes within the failure budget and lists the failures; redrive runs only the failed items', async () => {
    const sink = join(t.dir, 'map2.db');
    const fixed = join(t.dir, 'map2.fixed');
    const items = Array.from({ length: 100 }, (_, i) => ({ id: i, fail: i % 25 === 3 }));
    const s = await map(deps({ SINK: sink, FIXED: fixed }), 'unit', items, { id: 'm2', concurrency: 4, retries: 1, toleratedFailures: '5%' });
    expect(s).toMatchObject({ status: 'succeeded', counts: { succeeded: 96, failed: 4 } });
    const failed = await jsonl(s.outputs!.failed.bucket, s.outputs!.failed.key);
    expect(failed.map((f) => f.index)).toEqual([3, 28, 53, 78]);
    expect(failed[0]).toMatchObject({ attempts: 2, error: { name: 'Error', message: 'item 3 is broken' } });

    writeFileSync(fixed, 'yes');
    const before = read(sink).calls;
    const r = await redriveMap(deps({ SINK: sink, FIXED: fixed }), 'm2');
    expect(r).toMatchObject({ redriven: 4, status: 'succeeded', counts: { succeeded: 100, failed: 0 } });
    expect(read(sink).calls - before).toBe(4);
  });

  it('stops with a clear status when more items fail than tolerated', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ id: i, fail: i % 10 === 0 }));
    const s = await map(deps(), 'partial', items, { id: 'm3', concurrency: 2, batchSize: 20, retries: 0, toleratedFailures: 3 });
    expect(s.status).toBe('failed');
    expect(s.error?.message).toMatch(/^map "m3": \d+ items failed for good, more than the 3 tolerated \(toleratedFailures 3\); dispatching stopped with \d+ items not run\. See baton-maps\/maps\/m3\/failed\.jsonl/);
    expect(s.counts.pending).toBeGreaterThan(0);
    expect((await jsonl(s.outputs!.failed.bucket, s.outputs!.failed.key)).every((f) => (f.index as number) % 10 === 0)).toBe(true);
  });

  it('routes large items to the container executor and small ones to the function executor', async () => {
    const items = [{ id: 'a', size: 10 }, { id: 'b', size: 50_000 }, { id: 'c', size: 20 }, { id: 'd', size: 90_000 }];
    const s = await map(deps(), 'unit', items, { id: 'm4', concurrency: 4, route: (e) => ((e as { size: number }).size > 1000 ? 'container' : 'function') });
    const ok = await jsonl(s.outputs!.succeeded.bucket, s.outputs!.succeeded.key);
    expect(ok.map((r) => (r.result as { executor: string }).executor)).toEqual(['function', 'container', 'function', 'container']);
  });

  it('reads items from an object prefix, CSV rows and JSON lines', async () => {
    const objects = t.backend.objects;
    await objects.declare({ name: 'map-input', notifications: [] });
    for (const k of ['a', 'b', 'c']) await objects.put('map-input', `raw/${k}.csv`, 'id,name\n');
    await objects.put('map-input', 'rows.csv', 'id,name\n1,"Ada, Countess"\n2,"say ""hi"""\n');
    await objects.put('map-input', 'rows.jsonl', '{"id":1}\n\n{"id":2}\n');
    const keys = await map(deps(), 'unit', { bucket: 'map-input', prefix: 'raw/' }, { id: 'm5' });
    expect((await jsonl('baton-maps', 'maps/m5/succeeded.jsonl')).map((r) => (r.item as { key: string }).key)).toEqual(['raw/a.csv', 'raw/b.csv', 'raw/c.csv']);
    expect(keys.counts.succeeded).toBe(3);
    await map(deps(), 'unit', { bucket: 'map-input', key: 'rows.csv', format: 'csv' }, { id: 'm6' });
    expect((await jsonl('baton-maps', 'maps/m6/succeeded.jsonl')).map((r) => r.item)).toEqual([{ id: '1', name: 'Ada, Countess' }, { id: '2', name: 'say "hi"' }]);
    await map(deps(), 'unit', { bucket: 'map-input', key: 'rows.jsonl', format: 'jsonl' }, { id: 'm7' });
    expect((await jsonl('baton-maps', 'maps/m7/succeeded.jsonl')).map((r) => r.item)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('reads the rows of a Parquet object in batches', async () => {
    const file = join(t.dir, 'rows.parquet');
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    await conn.run(`COPY (SELECT range AS id, 'name ' || range AS name FROM range(2500)) TO '${file}' (FORMAT parquet)`);
    conn.closeSync();
    duck.closeSync();
    await t.backend.objects.declare({ name: 'map-input', notifications: [] });
    await t.backend.objects.put('map-input', 'rows.parquet', readFileSync(file));
    const s = await map(deps(), 'batch', { bucket: 'map-input', key: 'rows.parquet', format: 'parquet' }, { id: 'm8', concurrency: 4, batchSize: 100 });
    expect(s.counts).toMatchObject({ total: 2500, succeeded: 2500 });
    const ok = await jsonl('baton-maps', 'maps/m8/succeeded.jsonl');
    expect(ok[1234]).toMatchObject({ index: 1234, item: { id: '1234', name: 'name 1234' } });
  });
});
