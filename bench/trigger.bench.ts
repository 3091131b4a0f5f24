// npm run bench -- trigger: the cost of running handlers through Baton.
// Each part is an exported function returning figures, so other parts (queue -> function
// throughput) can be added beside it and run in the same report.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fn } from '../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../src/runtime/executor/index.ts';
import { handler as noop } from './handlers/noop.ts';
import { report, type Figure } from './report.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface BenchPart {
  figures: Figure[];
  notes: string[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Invocation overhead of the worker-thread executor: sequential invokes of a no-op handler on a
 * warm worker, against calling the same handler directly in this thread, in the same run.
 * Figures are the executor's latency minus the direct call's, at p50 and p99.
 */
export async function invokeOverhead(options: { calls?: number; warmup?: number } = {}): Promise<BenchPart> {
  const calls = options.calls ?? 3000;
  const warmup = options.warmup ?? 300;
  const event = { Records: [{ messageId: 'm-1', body: '{"order":42,"items":[1,2,3]}' }] };
  const executor = createFunctionExecutor({ root: join(here, 'handlers') });
  const config = fn('noop', './noop.ts', { concurrency: 1, timeout: 10_000 }).config;
  const direct: number[] = [];
  const viaExecutor: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) {
      await executor.invoke(config, event);
      await noop(event);
    }
    for (let i = 0; i < calls; i++) {
      let t = performance.now();
      await noop(event);
      direct.push(performance.now() - t);
      t = performance.now();
      const inv = await executor.invoke(config, event);
      viaExecutor.push(performance.now() - t);
      if (inv.status !== 'ok') throw new Error(`noop invocation failed: ${inv.error?.errorMessage}`);
    }
  } finally {
    await executor.close();
  }
  direct.sort((a, b) => a - b);
  viaExecutor.sort((a, b) => a - b);
  const figure = (p: number): Figure => {
    const base = percentile(direct, p);
    return { bench: 'trigger', figure: `invoke_overhead_p${p}_ms`, value: percentile(viaExecutor, p) - base, unit: 'ms', baseline: base, goal: 'lower is better' };
  };
  return {
    figures: [figure(50), figure(99)],
    notes: [`invoke overhead: ${calls} sequential invokes of a no-op handler on one warm worker; baseline is a direct call of the same handler in the same run.`],
  };
}

/** The parts of this benchmark, in report order. */
export const parts: Array<() => Promise<BenchPart>> = [() => invokeOverhead()];

if (process.argv[2] === 'trigger') {
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const part of parts) {
    const r = await part();
    figures.push(...r.figures);
    notes.push(...r.notes);
  }
  report(figures, notes);
}
