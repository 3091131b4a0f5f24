// The fan-out demo (seed 001): generates CSV files of mixed sizes in the `raw` bucket, registers
// the catalog table once, and runs Baton's map (the coordinator) over the listing with bounded
// concurrency: each file goes through csv-to-parquet, in the function executor or, above the
// size threshold, the container executor. Then it checks that the counts match the input exactly.
//
// Where the seed's coordinator falls short, and what this does instead (same behaviour, done right):
// - Its task list lived in one process's event loop ("wait until ALL executions are finished, then
//   collect results"): a crash lost every result and a re-run redid everything. map keeps a durable
//   per-item ledger: a restart with the same id resumes, finished files never run again, and the
//   results and failures are written to objects (succeeded.jsonl, failed.jsonl).
// - It passed the event to the container base64-encoded in an environment variable (size-capped);
//   here both executors receive the same JSON event over the same invoke path.
// - Concurrent metadata updates: a catalog table record is last-writer-wins, so the table is
//   registered once here, before the map, and each unit adds only its own partition record.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal } from '../../src/backends/local/index.ts';
import type { FnConfig } from '../../src/core/resources/fn.ts';
import { Catalog } from '../../src/data/catalog/index.ts';
import { query } from '../../src/data/query.ts';
import type { Executor, Invocation, InvokeOptions } from '../../src/ports/executor.ts';
import { createContainerExecutor, RoutingExecutor } from '../../src/runtime/container/index.ts';
import { checks, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { map } from '../../src/runtime/map/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import config from './baton.config.ts';
import { generateFiles, type GenerateOptions } from './generate.ts';
import type { ConvertResult } from './handlers/csv-to-parquet.ts';
import { lakeBucket, largeFileBytes, rawBucket, rawPrefix, tableColumns, tableName, tablePrefix } from './lake.ts';
import { listAll } from '../../src/data/list.ts';

// Handler modules resolve against the config's folder, as `baton dev` loads it.
const root = dirname(fileURLToPath(import.meta.url));
const spec = { ...config, root };

interface Size extends GenerateOptions {
  /** Warm worker threads of the function executor (about one per core: DuckDB work is CPU-bound). */
  functionSlots: number;
  /** Child processes of the container executor (ECS task slots): few, they cold-start slowly. */
  containerSlots: number;
}

const sizes: Record<'small' | 'full', Size> = {
  // The test's size: few files, few large ones, one container child.
  small: { count: 30, large: 3, minRows: 20, maxRows: 600, largeMinRows: 7_000, largeMaxRows: 9_000, functionSlots: 2, containerSlots: 1, seed: 1 },
  full: { count: 200, large: 10, minRows: 50, maxRows: 1_500, largeMinRows: 8_000, largeMaxRows: 30_000, functionSlots: 2, containerSlots: 2, seed: 1 },
};

/** The coordinator's view of the executors: how many invocations ran at once, and where each ran. */
class Watch implements Executor {
  inFlight = 0;
  maxInFlight = 0;
  /** Invocations that succeeded, by executor; failed attempts (retried by map) are counted apart. */
  readonly ran = { function: 0, container: 0 };
  failedAttempts = 0;
  constructor(private readonly inner: RoutingExecutor) {}
  async invoke(fn: FnConfig, event: unknown, options?: InvokeOptions): Promise<Invocation> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      const inv = await this.inner.invoke(fn, event, options);
      if (inv.status === 'ok') this.ran[inv.executor]++;
      else this.failedAttempts++;
      return inv;
    } finally {
      this.inFlight--;
    }
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Gives an executor its own number of slots, whatever the map's concurrency (map sets fn.concurrency to it). */
function slots(inner: Executor, concurrency: number): Executor {
  return { invoke: (fn, event, options) => inner.invoke({ ...fn, concurrency }, event, options), close: () => inner.close() };
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  const size = sizes[ctx.small ? 'small' : 'full'];
  const backend = openLocal({ dir: ctx.dir });
  // Executors start handlers with the backend's environment, so their connect() reaches this state.
  const baseEnv = { ...process.env, ...backend.handlerEnv };
  // Loading a handler that imports Baton and DuckDB takes seconds on a busy 2-core machine; a
  // longer init limit than Lambda's 10 s keeps a slow cold start from failing a unit for nothing.
  const init = { root, baseEnv, initTimeoutMs: 60_000 };
  const routing = new RoutingExecutor({ function: slots(createFunctionExecutor(init), size.functionSlots), container: slots(createContainerExecutor(init), size.containerSlots) });
  const watch = new Watch(routing);
  // The map's bound: every slot busy, so a long container unit never holds back the small files.
  const concurrency = size.functionSlots + size.containerSlots;
  try {
    await provision(backend, spec);

    // 1. The input: CSV files of mixed sizes.
    const expected = new Map<string, { rows: number; bytes: number }>();
    let t = performance.now();
    for (const f of generateFiles(size)) {
      const head = await backend.objects.put(rawBucket, f.key, f.body, { contentType: 'text/csv' });
      expected.set(f.key, { rows: f.rows, bytes: head.size });
    }
    const totalRows = [...expected.values()].reduce((s, f) => s + f.rows, 0);
    const totalBytes = [...expected.values()].reduce((s, f) => s + f.bytes, 0);
    const largeKeys = new Set([...expected].filter(([, f]) => f.bytes > largeFileBytes).map(([k]) => k));
    ctx.log(`generated ${expected.size} CSV files, ${totalRows} rows, ${(totalBytes / 1048576).toFixed(1)} MiB; ${largeKeys.size} above ${largeFileBytes / 1024} KiB (${elapsed(t)})`);

    // 2. The catalog table, registered once before any unit runs.
    const catalog = await Catalog.open(backend.objects);
    await catalog.putTable({ name: tableName, location: { bucket: lakeBucket, prefix: tablePrefix }, partitionKeys: ['file'], columns: tableColumns });

    // 3. The coordinator: map over the listing, `concurrency` invocations at once, routed per file.
    t = performance.now();
    const summary = await map({ backend, executor: watch, fns: spec.fns }, 'csv-to-parquet', { bucket: rawBucket, prefix: rawPrefix }, { id: 'fanout', concurrency, retries: 2 });
    ctx.log(`map ${summary.id}: ${summary.status}, ${summary.counts.succeeded}/${summary.counts.total} succeeded, ${summary.counts.failed} failed; at most ${watch.maxInFlight} at once (bound ${concurrency}); ${watch.ran.function} in the function executor, ${watch.ran.container} in the container executor, ${watch.failedAttempts} failed attempts retried (${elapsed(t)})`);
    check.expect('the map succeeded', summary.status === 'succeeded', `${summary.status}${summary.error ? `: ${summary.error.message}` : ''}`);
    check.expect('one map item per CSV file', summary.counts.total === expected.size && summary.counts.succeeded === expected.size, JSON.stringify(summary.counts));
    check.expect('concurrency bounded', watch.maxInFlight <= concurrency && watch.maxInFlight > 1, `${watch.maxInFlight} at once`);

    // 4. Each unit's result, from the map's succeeded.jsonl: where it ran and what it wrote.
    const results: Array<{ item: { key: string; size: number }; result: ConvertResult }> = [];
    if (summary.outputs) {
      const { body } = await backend.objects.get(summary.outputs.succeeded.bucket, summary.outputs.succeeded.key);
      for (const line of body.toString('utf8').split('\n')) if (line) results.push(JSON.parse(line) as (typeof results)[number]);
    }
    const misrouted = results.filter((r) => r.result.executor !== (largeKeys.has(r.item.key) ? 'container' : 'function')).map((r) => `${r.item.key} (${r.item.size} B) ran in ${r.result.executor}`);
    const inContainer = results.filter((r) => r.result.executor === 'container');
    check.expect('files above the threshold ran in the container executor, the rest in the function executor', results.length === expected.size && misrouted.length === 0, misrouted.slice(0, 5).join(', ') || `${results.length} results`);
    check.expect('the coordinator saw the same split', watch.ran.container === largeKeys.size && watch.ran.function === expected.size - largeKeys.size, JSON.stringify(watch.ran));
    check.expect('container units ran in child processes, function units in this process', inContainer.every((r) => r.result.pid !== process.pid) && results.filter((r) => r.result.executor === 'function').every((r) => r.result.pid === process.pid));
    const wrong = results.filter((r) => r.result.rows !== expected.get(r.item.key)?.rows || r.result.rejected !== 0).map((r) => `${r.item.key}: ${r.result.rows} rows, ${r.result.rejected} rejected`);
    check.expect('each unit converted every row of its file', wrong.length === 0, wrong.slice(0, 5).join(', '));
    const slowest = (kind: string) => Math.max(0, ...results.filter((r) => r.result.executor === kind).map((r) => r.result.ms));
    ctx.log(`slowest unit: ${slowest('function')} ms in the function executor, ${slowest('container')} ms in the container executor (${new Set(inContainer.map((r) => r.result.pid)).size} container processes)`);

    // 5. The lake: one Parquet file per CSV, one catalog partition per file, and SQL over the table.
    const parquet = (await listAll(backend.objects, lakeBucket, tablePrefix)).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
    const partitions = await catalog.partitions(tableName);
    check.expect('one Parquet file per CSV file', parquet.length === expected.size, `${parquet.length} Parquet files for ${expected.size} CSV files`);
    check.expect('one catalog partition per CSV file', partitions.length === expected.size && partitions.reduce((s, p) => s + p.rows, 0) === totalRows, `${partitions.length} partitions`);

    t = performance.now();
    const total = (await query(catalog, `SELECT count(*) AS n, count(DISTINCT file) AS files, count(DISTINCT id) AS ids FROM ${tableName}`)).rows[0] ?? {};
    const perFile = await query(catalog, `SELECT file, count(*) AS n FROM ${tableName} GROUP BY file`);
    const mismatched = perFile.rows.filter((r) => Number(r['n']) !== expected.get(`${rawPrefix}${String(r['file'])}.csv`)?.rows).map((r) => `${String(r['file'])}: ${String(r['n'])}`);
    ctx.log(`SQL over the catalog: ${String(total['n'])} rows in ${String(total['files'])} files, ${String(total['ids'])} distinct ids (${elapsed(t)})`);
    check.expect('SQL count over the catalog table = rows generated', Number(total['n']) === totalRows && Number(total['ids']) === totalRows, `${String(total['n'])} rows, ${String(total['ids'])} ids; ${totalRows} generated`);
    check.expect('SQL sees every file with its exact row count', Number(total['files']) === expected.size && perFile.rows.length === expected.size && mismatched.length === 0, mismatched.slice(0, 5).join(', ') || `${String(total['files'])} files`);

    return {
      summary: `${expected.size} CSV files -> ${parquet.length} Parquet files, ${String(total['n'])} rows (SQL) of ${totalRows}, ${watch.ran.function} function / ${watch.ran.container} container, at most ${watch.maxInFlight} at once`,
      failures: check.failures,
    };
  } finally {
    await watch.close();
    await backend.close();
  }
}

function elapsed(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
