// Where the csv-pipeline's memory goes (issue 15, peak_rss_mb): each scenario in a process of its
// own, so that its peak (maxRSS, every thread of the process) is its own. Not a figure of
// `npm run bench`; a measuring tool:
//
//   NODE_OPTIONS=--conditions=baton-source flock /tmp/baton-bench.lock \
//     node --import tsx bench/memory-breakdown.ts [scenario ...]
//
// Scenarios (all by default but `pipeline`, which takes minutes):
//   idle             this process under tsx, nothing else loaded
//   input            the generated seed-004 CSV (BATON_BENCH_ROWS rows, default 558,000) in memory
//   workers:<n>      n function workers (the executor's real entry) loaded with a handler of the
//                    pipeline, warm and idle; the v8 heap of each is read inside it
//   duck             csvBatches (the clean step's DuckDB path) over the generated file in this
//                    process, every batch dropped; run in a worker with the function's memory
//                    setting when BATON_BENCH_DUCK_MB is set, as the executor would
//   pipeline         the whole pipeline under the engine (as bench/csv-pipeline-part.ts), with
//                    process.memoryUsage() sampled every 250 ms and its peak kept per phase;
//                    BATON_BENCH_INPUT=file generates the CSV in a child process and uploads it
//                    from the file, so this process never holds it
// Each prints one JSON line; the driver prints them as a table at the end.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const here = dirname(fileURLToPath(import.meta.url));
const example = join(here, '../examples/csv-pipeline');
const mb = (bytes: number) => Math.round(bytes / 1048576);
const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const rows = Number(process.env.BATON_BENCH_ROWS ?? 558_000);

interface Row {
  scenario: string;
  maxRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  note?: string;
}

function snapshot(scenario: string, note?: string): Row {
  const m = process.memoryUsage();
  return { scenario, maxRssMb: maxRssMb(), rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external), ...(note ? { note } : {}) };
}

async function makeInput(): Promise<{ csv: string; poison: number }> {
  const { generateCsv } = await import('../examples/csv-pipeline/generate.ts');
  const { sizes } = await import('../examples/csv-pipeline/demo.ts');
  const f = sizes.full;
  const input = generateCsv({ ...f, rows, malformed: Math.round((f.malformed * rows) / f.rows), poison: Math.max(1, Math.round((f.poison * rows) / f.rows)) });
  return { csv: input.csv, poison: input.poison };
}

/** The per-thread heap peaks bench/memory-sampler.cjs wrote, as one line. */
function threadPeaks(dir: string): string {
  const peaks = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { name: string; usedHeapMb: number; totalHeapMb: number; externalMb: number; limitMb: number });
  return peaks
    .sort((a, b) => b.totalHeapMb - a.totalHeapMb)
    .map((p) => `${p.name} ${p.usedHeapMb}/${p.totalHeapMb}/${p.externalMb} (limit ${p.limitMb})`)
    .join(', ');
}

const scenarios: Record<string, (arg?: string) => Promise<Row[]>> = {
  async idle() {
    return [snapshot('idle', 'node --import tsx, nothing loaded')];
  },

  async input() {
    const before = snapshot('input (before)');
    const { csv } = await makeInput();
    const buf = Buffer.from(csv);
    const after = snapshot('input', `${rows} rows: ${(csv.length / 1e6).toFixed(1)} M chars (UTF-16 in V8: it has non-Latin-1 dirt), ${mb(buf.length)} MB as UTF-8`);
    return [before, after];
  },

  async workers(arg = '6') {
    const n = Number(arg);
    const { PoolWorker } = await import('../src/runtime/executor/pool-worker.ts');
    const heapProbe = pathToFileURL(join(here, 'handlers/heap-probe.ts')).href;
    const before = process.memoryUsage().rss;
    const workers = [];
    const heaps: number[] = [];
    for (let i = 0; i < n; i++) {
      const w = new PoolWorker({
        setup: { moduleUrl: heapProbe, module: 'heap-probe', handler: 'handler', fnName: `probe${i}`, memoryMb: 1024, logStreamName: 's', logPayloadBytes: 1024, maxLogRecords: 100 },
        env: process.env,
      });
      w.attachLogs(() => undefined);
      const ready = await w.ready;
      if (!ready.ok) throw new Error(`worker failed to load: ${ready.error.errorMessage}`);
      const out = await w.run({ type: 'invoke', requestId: `r${i}`, eventJson: '{}', deadline: Date.now() + 60_000 });
      if (!out.ok) throw new Error(out.error.errorMessage);
      heaps.push((JSON.parse(out.resultJson) as { usedHeapMb: number }).usedHeapMb);
      workers.push(w);
    }
    await new Promise((r) => setTimeout(r, 500));
    const row = snapshot(`workers:${n}`, `${mb((process.memoryUsage().rss - before) / n)} MB RSS per worker; v8 heap used in each: ${heaps.join(', ')} MB`);
    await Promise.all(workers.map((w) => w.terminate()));
    return [row];
  },

  async duck() {
    const limitMb = process.env.BATON_BENCH_DUCK_MB;
    const dir = mkdtempSync(join(tmpdir(), 'baton-mem-duck-'));
    try {
      const { openLocal } = await import('../src/backends/local/index.ts');
      const backend = openLocal({ dir });
      await backend.objects.declare({ name: 'mem-bench', notifications: [] });
      const file = join(dir, 'input.csv');
      execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'write-input', file]);
      await backend.objects.put('mem-bench', 'in.csv', createReadStream(file));
      const afterInput = snapshot('duck (before)', 'input generated in a child process, put from its file');
      await backend.close();
      // The rest runs in a worker, so that the function's memory setting reaches DuckDB as the executor passes it.
      const row = await new Promise<Row>((resolve, reject) => {
        const tsxApi = import.meta.resolve('tsx/esm/api');
        const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
        const w = new Worker(boot, { eval: true, workerData: { duckDir: dir }, env: { ...process.env, ...(limitMb ? { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: limitMb } : {}) } });
        w.once('message', (m: { batches: number; rows: number }) => resolve(snapshot(`duck${limitMb ? ` (fn memory ${limitMb} MB)` : ''}`, `csvBatches: ${m.rows} rows in ${m.batches} batches; ${afterInput.maxRssMb} MB before DuckDB`)));
        w.once('error', reject);
      });
      return [afterInput, row];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },

  async pipeline() {
    const fromFile = process.env.BATON_BENCH_INPUT === 'file';
    const phases: Row[] = [];
    let phase = 'imports';
    let peak = { rss: 0, heap: 0, ext: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed), ext: Math.max(peak.ext, m.external) };
    }, 250);
    const end = (next: string, note?: string) => {
      const row = snapshot(`pipeline: ${phase}`, note);
      phases.push({ ...row, note: `${note ? `${note}; ` : ''}sampled peak rss ${mb(peak.rss)}, main heap ${mb(peak.heap)}, external ${mb(peak.ext)} MB` });
      peak = { rss: 0, heap: 0, ext: 0 };
      phase = next;
    };
    const { openLocal } = await import('../src/backends/local/index.ts');
    const { startEngine } = await import('../src/runtime/engine/index.ts');
    const config = (await import('../examples/csv-pipeline/baton.config.ts')).default;
    const { runPipeline } = await import('../examples/csv-pipeline/demo.ts');
    const { generateCsv } = await import('../examples/csv-pipeline/generate.ts');
    end('input');
    const dir = mkdtempSync(join(tmpdir(), 'baton-mem-pipeline-'));
    let input: { csv: string; poison: number } | { file: string; poison: number };
    if (fromFile) {
      const file = join(dir, 'input.csv');
      const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'write-input', file], { encoding: 'utf8' });
      input = { file, poison: (JSON.parse(out.trim().split('\n').at(-1)!) as { poison: number }).poison };
    } else input = await makeInput();
    end('engine start', fromFile ? 'input generated in a child process, written to a file' : 'input generated in this process');
    const backend = openLocal({ dir: join(dir, 'state') });
    const engine = await startEngine({ backend, spec: { ...config, root: example }, onError: (where, err) => console.error(`engine error (${where}):`, err) });
    end('warm-up');
    try {
      await runPipeline(backend, engine, generateCsv({ rows: 2_000, malformed: 0, poison: 0, seed: 99 }).csv.replace(/\nTX/g, '\nWARM'), 0, 60_000);
      end('run', 'every function warm: one worker each');
      // From the file as a stream (a real upload arrives from outside), or the string made in this process.
      const seconds = await runPipeline(backend, engine, 'csv' in input ? input.csv : createReadStream(input.file), input.poison, 900_000);
      end('done', `${rows} rows in ${seconds.toFixed(1)} s`);
      const samples = process.env.BATON_MEM_SAMPLES;
      if (samples) phases.push({ ...snapshot('pipeline: v8 heap peak per thread'), note: `used/total/external MB: ${threadPeaks(samples)}` });
    } finally {
      clearInterval(sampler);
      await engine.stop({ deadlineMs: 5000 });
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return phases;
  },
};

async function duckWorker(dir: string): Promise<void> {
  const { openLocal } = await import('../src/backends/local/index.ts');
  const { csvBatches } = await import('../src/data/index.ts');
  const { transaction } = await import('../examples/csv-pipeline/schema.ts');
  const backend = openLocal({ dir });
  let batches = 0;
  let count = 0;
  for await (const b of csvBatches(backend.objects, { source: { bucket: 'mem-bench', key: 'in.csv' }, rejected: { bucket: 'mem-bench', key: 'rejected.jsonl' }, schema: transaction, cleaning: { strip: '\u00a0\u200b\ufeff' }, batchSize: 400 })) {
    batches++;
    count += b.length;
  }
  await backend.close();
  parentPort!.postMessage({ batches, rows: count });
}

if (!isMainThread && (workerData as { duckDir?: string } | null)?.duckDir) {
  await duckWorker((workerData as { duckDir: string }).duckDir);
} else if (process.argv[2] === 'write-input') {
  const { csv, poison } = await makeInput();
  writeFileSync(process.argv[3]!, csv);
  console.log(JSON.stringify({ poison }));
} else if (process.argv[2] === 'one') {
  const [name, arg] = process.argv[3]!.split(':');
  const run = scenarios[name!];
  if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  for (const row of await run(arg)) console.log(JSON.stringify(row));
  // A warm worker or DuckDB's threads must not keep the process alive.
  process.exit(0);
} else {
  const wanted = process.argv.slice(2);
  const list = wanted.length ? wanted : ['idle', 'input', 'workers:1', 'workers:6', 'duck'];
  const rowsOut: Row[] = [];
  for (const s of list) {
    const samples = s === 'pipeline' ? mkdtempSync(join(tmpdir(), 'baton-mem-samples-')) : undefined;
    const env = samples ? { ...process.env, BATON_MEM_SAMPLES: samples, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(here, 'memory-sampler.cjs')}`.trim() } : process.env;
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'one', s], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, env });
    // With BATON_MEM_SERIES the per-thread series are the point: keep them and say where.
    if (samples && process.env.BATON_MEM_SERIES) console.error(`per-thread heap series kept in ${samples}/<thread id>.json`);
    else if (samples) rmSync(samples, { recursive: true, force: true });
    for (const line of out.trim().split('\n')) if (line.startsWith('{')) rowsOut.push(JSON.parse(line) as Row);
  }
  const cols: Array<keyof Row> = ['scenario', 'maxRssMb', 'rssMb', 'heapUsedMb', 'externalMb', 'note'];
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const r of rowsOut) console.log(`| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`);
}
