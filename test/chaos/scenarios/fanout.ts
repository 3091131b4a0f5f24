/**
 * fanout under chaos: the example's 30 CSV files (3 above the container threshold) are converted
 * by a map started with `baton map ... --id fanout`, whose process is SIGKILLed once its ledger
 * exists; the engines (`baton dev`) then resume the map from its ledger (issue 11) and are killed
 * in turn. The example's own promises are checked as its demo does: the map succeeded with one
 * item per file, one Parquet file and one catalog partition per CSV, and SQL over the catalog
 * counts every generated row once, per file.
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateFiles } from '../../../examples/fanout/generate.ts';
import { lakeBucket, rawBucket, rawPrefix, tableColumns, tableName, tablePrefix } from '../../../examples/fanout/lake.ts';
import { Catalog } from '../../../src/data/catalog/index.ts';
import { query } from '../../../src/data/query.ts';
import type { Scale, Scenario } from '../harness/chaos.ts';
import { startEngine } from '../harness/engine.ts';
import { listAll } from '../../../src/data/list.ts';

const config = fileURLToPath(new URL('../../../examples/fanout/baton.config.ts', import.meta.url));
// The example's test size (examples/fanout/demo.ts `small`).
const small = { count: 30, large: 3, minRows: 20, maxRows: 600, largeMinRows: 7_000, largeMaxRows: 9_000, seed: 1 };
const mapId = 'fanout';

export function fanout(scale: Scale = 'short'): Scenario {
  // Full: twice the example's test size.
  const size = scale === 'full' ? { ...small, count: 60, large: 5, seed: 2 } : small;
  const expected = new Map<string, number>();
  let cliKilled = 0;
  return {
    name: 'fanout',
    config,
    life: [1500, 9000],
    settleTimeoutMs: 240_000,
    async feed(ctx) {
      const { backend, state, rng } = ctx;
      for (const f of generateFiles(size)) {
        await backend.objects.put(rawBucket, f.key, f.body, { contentType: 'text/csv' });
        expected.set(f.key, f.rows);
      }
      const catalog = await Catalog.open(backend.objects);
      await catalog.putTable({ name: tableName, location: { bucket: lakeBucket, prefix: tablePrefix }, partitionKeys: ['file'], columns: tableColumns });
      // The map's first coordinator: the CLI, killed once the map is in the ledger (its lease then expires and an engine resumes it).
      const cli = startEngine({ config, state, name: 'baton map', args: ['map', 'csv-to-parquet', '--prefix', `${rawBucket}/${rawPrefix}`, '--id', mapId, '--concurrency', '3', '--retries', '2', '--json'] });
      try {
        while (!(await backend.jobs.maps.get(mapId))) {
          if (!cli.alive) throw new Error(`baton map ended before its map was recorded: ${cli.output()}`);
          await sleep(100);
        }
        await sleep(rng.int(500, 6000));
        if (cli.alive) {
          await cli.kill();
          cliKilled++;
          ctx.log(`killed baton map (pid ${cli.pid}) with the map ${(await backend.jobs.maps.get(mapId))?.status}`);
        }
      } finally {
        await cli.kill();
      }
    },
    async settled({ backend }) {
      const m = await backend.jobs.maps.get(mapId);
      return m !== undefined && m.status !== 'loading' && m.status !== 'running';
    },
    async check({ backend }) {
      const failures: string[] = [];
      const m = await backend.jobs.maps.get(mapId);
      const counts = await backend.jobs.maps.counts(mapId);
      if (m?.status !== 'succeeded') failures.push(`map ${mapId}: ${m?.status}${m?.error ? `: ${m.error.message}` : ''}`);
      if (counts.total !== expected.size || counts.succeeded !== expected.size) failures.push(`map counts ${JSON.stringify(counts)}, expected ${expected.size} succeeded`);
      const totalRows = [...expected.values()].reduce((s, n) => s + n, 0);
      // The lake: one Parquet file and one partition per CSV, and SQL over the table.
      const parquet = (await listAll(backend.objects, lakeBucket, tablePrefix)).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
      const catalog = await Catalog.open(backend.objects);
      const partitions = await catalog.partitions(tableName);
      if (parquet.length !== expected.size) failures.push(`${parquet.length} Parquet files for ${expected.size} CSV files`);
      if (partitions.length !== expected.size || partitions.reduce((s, p) => s + p.rows, 0) !== totalRows) failures.push(`${partitions.length} partitions, ${partitions.reduce((s, p) => s + p.rows, 0)} rows`);
      const total = (await query(catalog, `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${tableName}`)).rows[0] ?? {};
      const perFile = await query(catalog, `SELECT file, count(*) AS n FROM ${tableName} GROUP BY file`);
      const found = new Map(perFile.rows.map((r) => [`${rawPrefix}${String(r['file'])}.csv`, Number(r['n'])]));
      const duplicates = Number(total['n']) - Number(total['ids']);
      let lost = 0;
      for (const [key, rows] of expected) {
        const n = found.get(key) ?? 0;
        if (n < rows) lost += rows - n;
        if (n !== rows) failures.push(`${key}: ${n} rows in SQL, ${rows} generated`);
      }
      if (duplicates) failures.push(`${duplicates} rows more than once in SQL (${String(total['n'])} rows, ${String(total['ids'])} ids)`);
      return {
        expected: totalRows,
        found: Number(total['ids']),
        duplicates,
        lost,
        failures: failures.slice(0, 10),
        notes: { files: expected.size, 'baton map killed': cliKilled },
      };
    },
  };
}
