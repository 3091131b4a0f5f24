// One part of `npm run bench -- csv-pipeline`, run in a process of its own so that each part's peak
// memory is its own and a profiler can be put on the pipeline alone (csv-pipeline.bench.ts starts
// it): `node --import tsx bench/csv-pipeline-part.ts pipeline|loop|floor`. Prints one JSON line:
// {"seconds", "peakRssMb", "cpuSeconds", "rows", ...} (cpuSeconds: user + system time of every thread of
// the process, input generation included: on a shared machine a steadier signal than the seconds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const spec = { ...config, root: join(dirname(fileURLToPath(import.meta.url)), '../examples/csv-pipeline') };
// BATON_BENCH_ROWS=<n> runs a smaller file (a profile need not take the whole one), with the seed's share of bad rows.
const rows = Number(process.env.BATON_BENCH_ROWS ?? sizes.full.rows);
const input = generateCsv({ ...sizes.full, rows, malformed: Math.round((sizes.full.malformed * rows) / sizes.full.rows), poison: Math.max(1, Math.round((sizes.full.poison * rows) / sizes.full.rows)) });

async function pipeline(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-csv-'));
  const backend = openLocal({ dir });
  const engine = await startEngine({ backend, spec, onError: (where, err) => console.error(`engine error (${where}):`, err) });
  try {
    // Warm the workers first, as a deployed pipeline would be: cold starts are not the pipeline's speed.
    await runPipeline(backend, engine, generateCsv({ rows: 2_000, malformed: 0, poison: 0, seed: 99 }).csv.replace(/\nTX/g, '\nWARM'), 0, 60_000);
    const seconds = await runPipeline(backend, engine, input.csv, input.poison, 600_000);
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

function floor(): number {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-csv-floor-'));
  try {
    const { seconds, rows } = sqliteFloor(dir, input.csv);
    // Every row of 16 fields: the clean ones and the few malformed ones that have 16 fields (29 of 558,000).
    if (rows < input.clean || rows > input.rows - input.malformed / 2) throw new Error(`the floor wrote ${rows} rows, the input has ${input.clean} clean ones`);
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const part = process.argv[2];
const parts: Record<string, () => number | Promise<number>> = { pipeline, loop, floor };
const run = part ? parts[part] : undefined;
if (!run) throw new Error(`usage: csv-pipeline-part.ts ${Object.keys(parts).join('|')}`);
const seconds = await run();
// maxRSS is in KiB: the most this process (every thread of it) held at once.
const usage = process.resourceUsage();
console.log(JSON.stringify({ seconds, peakRssMb: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, rows: input.rows, clean: input.clean, malformed: input.malformed, poison: input.poison }));
