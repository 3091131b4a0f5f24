/**
 * The quickstart on a temp state, as the dashboard's browser tests need it: examples/quickstart's
 * app (plus `square` to run a map with and `relay`, a job that relays), its engine running, order files uploaded and
 * the broken file dead-lettered after two attempts; and a small `sales` table in the lake's
 * catalog for the SQL box.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app as defineApp, fn } from '../../../src/index.ts';
import { openApp, type App } from '../../../src/root/index.ts';
import type { Engine } from '../../../src/runtime/engine/index.ts';
import { Catalog } from '../../../src/data/catalog/index.ts';
import { withDuck, sqlString } from '../../../src/data/duck.ts';
import config from '../../../examples/quickstart/baton.config.ts';

const here = dirname(fileURLToPath(import.meta.url));
const quickstartRoot = join(here, '../../../examples/quickstart');

export const files = 4;
export const perFile = 25;
export const customers = 7;

export interface QuickstartState {
  dir: string;
  app: App;
  engine: Engine;
  /** Replaces the broken file with a good one (so a redrive of its message succeeds). */
  fixBrokenFile(): Promise<void>;
  close(): Promise<void>;
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

/** Opens the quickstart (with `square`) on a fresh state directory and runs it until its broken file is in the DLQ. */
export async function quickstartState(): Promise<QuickstartState> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-dashboard-'));
  const fixture = (name: string) => relative(quickstartRoot, join(here, 'fixtures', name));
  const extra = defineApp('extra', [fn('square', fixture('square.ts'), { timeout: '10s' }), fn('relay', fixture('relay.ts'), { timeout: '10s' })]);
  const spec = { ...config, fns: [...config.fns, ...extra.fns], root: quickstartRoot };
  const app = await openApp(spec, { backend: 'local', local: { dir } });
  const engine = await app.startEngine({ closeExecutor: false });
  const { objects, queues } = app.backend;
  for (let f = 0; f < files; f++) {
    const orders = Array.from({ length: perFile }, (_, i) => ({ customer: `c${(f * perFile + i) % customers}`, id: f * perFile + i, amount: (i % 10) + 1 }));
    await objects.put('uploads', `incoming/day 1/orders-${f}.json`, JSON.stringify(orders), { contentType: 'application/json' });
  }
  await objects.put('uploads', 'incoming/day 1/broken.json', '[{"customer": "c1", "id": ');
  await until('the broken file in the DLQ', async () => (await queues.stats('ingest')).deadLettered === 1 && (await queues.stats('ingest')).inFlight === 0);
  await registerSales(app);
  return {
    dir,
    app,
    engine,
    async fixBrokenFile() {
      await objects.put('uploads', 'incoming/day 1/broken.json', JSON.stringify([{ customer: 'c1', id: 1_000_000, amount: 5 }]));
    },
    async close() {
      await engine.stop({ deadlineMs: 5000 });
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A catalog table `sales` (partitioned by dt) with two small Parquet partitions. */
async function registerSales(app: App): Promise<void> {
  const catalog = await Catalog.open(app.backend.objects);
  const prefix = 'tables/sales/';
  await catalog.putTable({ name: 'sales', location: { bucket: catalog.bucket, prefix }, partitionKeys: ['dt'], columns: [{ name: 'customer', type: 'VARCHAR' }, { name: 'amount', type: 'BIGINT' }] });
  const scratch = mkdtempSync(join(tmpdir(), 'baton-sales-'));
  try {
    for (const [dt, n] of [['2026-12-01', 40], ['2026-12-02', 60]] as const) {
      const path = join(scratch, `${dt}.parquet`);
      await withDuck(async (conn) => {
        await conn.run(`COPY (SELECT 'c' || (i % ${customers}) AS customer, (i % 10 + 1)::BIGINT AS amount FROM range(${n}) t(i)) TO ${sqlString(path)} (FORMAT parquet)`);
      });
      const key = `${prefix}dt=${dt}/data.parquet`;
      const body = readFileSync(path);
      await app.backend.objects.put(catalog.bucket, key, body);
      await catalog.putPartition('sales', { values: { dt }, files: [key], rows: n, bytes: body.length, updatedAt: Date.now() });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
