// npm run bench -- csv-pipeline
//
// The full seed-004 pipeline (558,000 rows x 16 columns; 40 malformed, 12 poison) end to end on the
// embedded backend, from the upload to the moment everything has settled: cleaned in DuckDB, sent
// in batches through the load queue, written to the table, streamed to the process queue,
// processed, sent through the finished queue and updated. All five functions run in worker
// threads under the engine, as `baton dev` runs them.
//
// Beside it, in the same run, the baseline: the same rows through a plain single-process loop
// doing the same cleaning and the same table writes (bench/csv-pipeline-loop.ts).
//   end_to_end_s   seconds, pipeline vs loop (ratio = value / baseline: above 1 is slower)
//   rows_per_s     input rows per second, pipeline vs loop
//   sqlite_floor_s seconds of the table writes alone through plain better-sqlite3
//                  (bench/csv-pipeline-floor.ts), vs the loop: what the store costs at least
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal } from '../src/backends/local/index.ts';
import { startEngine } from '../src/runtime/engine/index.ts';
import config from '../examples/csv-pipeline/baton.config.ts';
import { runPipeline, sizes } from '../examples/csv-pipeline/demo.ts';
import { generateCsv } from '../examples/csv-pipeline/generate.ts';
import { names } from '../examples/csv-pipeline/schema.ts';
import { sqliteFloor } from './csv-pipeline-floor.ts';
import { plainLoop } from './csv-pipeline-loop.ts';
import { report } from './report.ts';

const spec = { ...config, root: join(dirname(fileURLToPath(import.meta.url)), '../examples/csv-pipeline') };
const input = generateCsv(sizes.full);
const load0 = loadavg()[0]!;

async function pipeline(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-csv-'));
  const backend = openLocal({ dir });
  const engine = await startEngine({ backend, spec, onError: (where, err) => console.error(`engine error (${where}):`, err) });
  try {
    // Warm the workers first, as a deployed pipeline would be: cold starts are not the pipeline's speed.
    await runPipeline(backend, engine, generateCsv({ rows: 2_000, malformed: 0, poison: 0, seed: 99 }).csv.replace(/\nTX/g, '\nWARM'), 0);
    const seconds = await runPipeline(backend, engine, input.csv, input.poison);
    const dead = (await backend.queues.stats(names.load)).deadLettered;
    if (dead !== input.poison) throw new Error(`expected ${input.poison} poison rows in the DLQ, found ${dead}`);
    return seconds;
  } finally {
    await engine.stop({ deadlineMs: 5000 });
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loop(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-csv-loop-'));
  const backend = openLocal({ dir });
  try {
    await backend.tables.declare({ name: names.table, partitionKey: { name: 'transaction_id', type: 'string' }, stream: { viewType: 'NEW_IMAGE' } });
    const t0 = performance.now();
    const counts = await plainLoop(backend, input.csv);
    const seconds = (performance.now() - t0) / 1000;
    if (counts.updated !== input.clean || counts.rejected !== input.malformed || counts.refused !== input.poison) {
      throw new Error(`the loop's counts differ from the input: ${JSON.stringify(counts)} vs clean ${input.clean}, malformed ${input.malformed}, poison ${input.poison}`);
    }
    return seconds;
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function floor(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-csv-floor-'));
  try {
    return sqliteFloor(dir, input.csv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ours = await pipeline();
const base = await loop();
const least = await floor();
report(
  [
    { bench: 'csv-pipeline', figure: 'end_to_end_s', value: ours, unit: 's', baseline: base, goal: '< 10' },
    { bench: 'csv-pipeline', figure: 'rows_per_s', value: input.rows / ours, unit: 'rows/s', baseline: input.rows / base },
    { bench: 'csv-pipeline', figure: 'sqlite_floor_s', value: least, unit: 's', baseline: base },
  ],
  [
    `sqlite_floor_s: the table writes alone (each row put, then updated, each with its stream record) through plain better-sqlite3, against the loop.`,`${input.rows} rows (${input.clean} clean, ${input.malformed} malformed, ${input.poison} poison); load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`],
);
