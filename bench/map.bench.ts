// npm run bench -- map: how fast the map coordinator dispatches.
//   items_per_s          10,000 no-op items at concurrency 64, one item per invocation, through
//                        the coordinator (durable ledger: load, take, group-committed completions,
//                        outputs written to objects) with an in-process no-op executor, so the
//                        figure is the coordinator's own cost; baseline: a plain promise pool of
//                        64 over the same executor and items, in the same run
//   items_per_s_workers  the same map through real worker threads (a no-op handler, concurrency 8
//                        on this 2-core machine, 10 items per invocation); baseline:
//                        a plain promise pool of 8 over the same executor and batches
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal } from '../src/backends/local/index.ts';
import { fn, type FnConfig } from '../src/core/resources/fn.ts';
import type { Executor, Invocation } from '../src/ports/executor.ts';
import { createFunctionExecutor } from '../src/runtime/executor/index.ts';
import { map } from '../src/runtime/map/index.ts';
import { report } from './report.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/jobs');
const N = 10_000;

/** Runs no handler: returns an ok invocation at once. */
const inProcess: Executor = {
  async invoke(_fn, _event, options): Promise<Invocation> {
    const requestId = options?.requestId ?? randomUUID();
    const startedAt = Date.now();
    options?.onStart?.({ requestId, startedAt });
    return { requestId, status: 'ok', result: null, startedAt, durationMs: 0, queuedMs: 0, logs: [] };
  },
  async close() {},
};

async function pool(lanes: number, jobs: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < jobs) await work(next++);
  }));
  return performance.now() - t;
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-map-'));
const backend = openLocal({ dir, paramsKey: Buffer.alloc(32, 7) });
const workers = createFunctionExecutor({ root });
try {
  const items = Array.from({ length: N }, (_, i) => ({ id: i }));
  const noop = fn('noop', './bench.ts', { handler: 'noop', timeout: 60_000 }).config;

  await map({ backend, executor: inProcess, fns: [noop] }, 'noop', items.slice(0, 500), { id: 'warm', concurrency: 64 });
  let t = performance.now();
  const s = await map({ backend, executor: inProcess, fns: [noop] }, 'noop', items, { id: 'inproc', concurrency: 64 });
  const coordMs = performance.now() - t;
  if (s.counts.succeeded !== N) throw new Error(`map ended ${s.status} with ${s.counts.succeeded} succeeded`);
  const poolMs = await pool(64, N, (i) => inProcess.invoke(noop, items[i]));

  const f8: FnConfig = { ...noop, concurrency: 8 };
  await pool(8, 64, () => workers.invoke(f8, {}));
  t = performance.now();
  const w = await map({ backend, executor: workers, fns: [noop] }, 'noop', items, { id: 'workers', concurrency: 8, batchSize: 10 });
  const workerMs = performance.now() - t;
  if (w.counts.succeeded !== N) throw new Error(`worker map ended ${w.status} with ${w.counts.succeeded} succeeded`);
  const batches = Array.from({ length: N / 10 }, (_, b) => ({ items: items.slice(b * 10, b * 10 + 10) }));
  const workerPoolMs = await pool(8, batches.length, (b) => workers.invoke(f8, batches[b]));

  report(
    [
      { bench: 'map', figure: 'items_per_s', value: N / (coordMs / 1000), unit: 'items/s', baseline: N / (poolMs / 1000), goal: '>= 10,000/s' },
      { bench: 'map', figure: 'items_per_s_workers', value: N / (workerMs / 1000), unit: 'items/s', baseline: N / (workerPoolMs / 1000) },
    ],
    [`${N.toLocaleString('en-US')} items; in-process: concurrency 64, 1 item per invocation; workers: concurrency 8, 10 items per invocation. Both include loading the ledger and writing outputs.`],
  );
} finally {
  await workers.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
