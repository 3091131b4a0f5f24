// npm run bench -- trigger: the cost of running handlers through Baton.
// Each part is an exported function returning figures, so other parts (queue -> function
// throughput) can be added beside it and run in the same report.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal } from '../src/backends/local/index.ts';
import { app } from '../src/core/app.ts';
import { fn } from '../src/core/resources/fn.ts';
import { queue } from '../src/core/resources/queue.ts';
import { startEngine } from '../src/runtime/engine/index.ts';
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

const BODY = JSON.stringify({ orderId: 'ord-000000', customer: 'cus-0000', amount: 1234, items: ['sku-1', 'sku-2'], note: 'x'.repeat(24) });

async function withTempBackend<T>(work: (backend: ReturnType<typeof openLocal>) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-trigger-'));
  const backend = openLocal({ dir });
  try {
    return await work(backend);
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: the raw queue, sendBatch + receive + deleteBatch at the batch size (as bench/queue.bench.ts measures it). */
export async function rawQueue(batch: number, total: number): Promise<number> {
  return withTempBackend(async (backend) => {
    const q = backend.queues;
    await q.declare({ name: 'bench', visibilityTimeoutMs: 60_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 262_144 });
    const inputs = Array.from({ length: batch }, () => ({ body: BODY }));
    const t0 = performance.now();
    for (let sent = 0; sent < total; sent += batch) await q.sendBatch('bench', inputs);
    for (let drained = 0; drained < total; ) {
      const got = await q.receive('bench', { maxMessages: batch });
      if (got.length === 0) throw new Error(`queue ran dry after ${drained} of ${total} messages`);
      await q.deleteBatch('bench', got.map((m) => m.receiptHandle));
      drained += got.length;
    }
    return total / ((performance.now() - t0) / 1000);
  });
}

type Backend = ReturnType<typeof openLocal>;
type Received = Awaited<ReturnType<Backend['queues']['receive']>>;

/** Declares the bench queue and sends `total` messages to it in batches of `batch`; returns backend.together. */
async function fill(backend: Backend, batch: number, total: number): Promise<(work: () => void) => void> {
  await backend.queues.declare({ name: 'bench', visibilityTimeoutMs: 60_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 262_144 });
  const inputs = Array.from({ length: batch }, () => ({ body: BODY }));
  for (let sent = 0; sent < total; sent += batch) await backend.queues.sendBatch('bench', inputs);
  return backend.together?.bind(backend) ?? ((work: () => void) => work());
}

/** A batch's end as the trigger writes it: the run's finish and the deleteBatch, in one group. */
async function finishAndDelete(backend: Backend, together: (work: () => void) => void, runId: string, got: Received): Promise<void> {
  let finished!: Promise<unknown>;
  let deleted!: Promise<unknown>;
  together(() => {
    finished = backend.runs.finish(runId, { status: 'ok', durationMs: 0.1, logs: [] });
    deleted = backend.queues.deleteBatch('bench', got.map((m) => m.receiptHandle));
  });
  await finished;
  await deleted;
}

/**
 * The store's floor for the trigger path: what a queue trigger must write per batch at the least,
 * in one thread, with no engine and no worker: the same sendBatch of the backlog, then per batch a
 * receive that counts no attempt, in one group (backend.together) the run's start row (its input
 * summarized, as the trigger's) and the batch's attempts (startAttempts: an attempt counts only
 * when a handler starts, DESIGN.md), and in another group the run's finish and the batch's
 * deleteBatch. Its ratio to the raw queue says how much of the trigger's gap the store itself
 * explains; the rest is the runtime's.
 */
export async function storeFloor(batch: number, total: number): Promise<number> {
  return withTempBackend(async (backend) => {
    const q = backend.queues;
    const t0 = performance.now();
    const together = await fill(backend, batch, total);
    for (let drained = 0; drained < total; ) {
      const got = await q.receive('bench', { maxMessages: batch, countAttempt: false });
      if (got.length === 0) throw new Error(`queue ran dry after ${drained} of ${total} messages`);
      let started!: Promise<Awaited<ReturnType<typeof backend.runs.start>>>;
      let counted!: Promise<unknown>;
      together(() => {
        started = backend.runs.start({ fn: 'noop', trigger: 'queue:bench', requestId: randomUUID(), recordIds: got.map((m) => m.messageId), input: { Records: got } });
        counted = q.startAttempts('bench', got.map((m) => m.receiptHandle));
      });
      const run = await started;
      await counted;
      await finishAndDelete(backend, together, run.id, got);
      drained += got.length;
    }
    return total / ((performance.now() - t0) / 1000);
  });
}

/**
 * The least store work a queue trigger that records its runs and counts attempts before the handler
 * starts could do: per batch ONE write transaction holding the receive that counts the attempt and
 * the run's start row (written with the attempt it counted), then ONE group with the run's finish
 * and the batch's deleteBatch: two commits per batch, as the raw queue's receive + deleteBatch.
 * There is no port op for the first transaction; this opens it on the local backend's connection
 * (one thread, nothing else writes), so the receive and the start are savepoints inside it. Its
 * ratio to the raw queue is about the most per-batch run records allow on this store (not strictly
 * the least: one batch's finish and delete could also share a commit with the next one's receive).
 * The runtime does NOT do this today: a receive that counts the attempt is only sound if the
 * trigger holds a function slot before it receives (a counted batch waiting for a slot could be
 * dead-lettered by a crash without ever running: test/runtime/queue-crash-window.test.ts), so the
 * trigger counts in a group of its own when the handler starts (storeFloor above).
 */
export async function storeFloorMin(batch: number, total: number): Promise<number> {
  return withTempBackend(async (backend) => {
    const q = backend.queues;
    const db = backend.context.db;
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    const rollback = db.prepare('ROLLBACK');
    const t0 = performance.now();
    const together = await fill(backend, batch, total);
    for (let drained = 0; drained < total; ) {
      begin.run();
      let got: Received;
      let run: Awaited<ReturnType<typeof backend.runs.start>>;
      try {
        got = await q.receive('bench', { maxMessages: batch, countAttempt: true });
        let attempt = 1;
        for (const m of got) if (m.attempts > attempt) attempt = m.attempts;
        run = await backend.runs.start({ fn: 'noop', trigger: 'queue:bench', requestId: randomUUID(), attempt, recordIds: got.map((m) => m.messageId), input: { Records: got } });
        commit.run();
      } catch (err) {
        if (db.inTransaction) rollback.run();
        throw err;
      }
      if (got.length === 0) throw new Error(`queue ran dry after ${drained} of ${total} messages`);
      await finishAndDelete(backend, together, run.id, got);
      drained += got.length;
    }
    return total / ((performance.now() - t0) / 1000);
  });
}

/**
 * Queue -> function -> delete through the engine's queue trigger: the same sendBatch of the
 * backlog, then the trigger receives (without counting), counts attempts when the no-op handler
 * starts, runs it in a warm worker and deletes the batch; timed until the queue is empty.
 */
export async function viaTrigger(batch: number, total: number): Promise<{ msgsPerS: number; invocations: number }> {
  return withTempBackend(async (backend) => {
    const spec = app('bench', [queue('bench', { visibilityTimeout: '1m' }), fn('noop', './sqs-noop.ts', { timeout: '10s', triggers: [{ queue: 'bench', batchSize: batch }] })]);
    const engine = await startEngine({ backend, spec: { ...spec, root: join(here, 'handlers') } });
    try {
      // Warm the workers so the figure is the steady state, not module loading.
      await backend.queues.sendBatch('bench', Array.from({ length: 8 }, () => ({ body: BODY })));
      while (engine.counters.invocations < 1) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 200));
      const before = engine.counters.invocations;
      const inputs = Array.from({ length: batch }, () => ({ body: BODY }));
      const t0 = performance.now();
      for (let sent = 0; sent < total; sent += batch) await backend.queues.sendBatch('bench', inputs);
      // Every no-op batch is full and deleted whole, so the invocation count says when all are done
      // (polling the queue's stats instead would compete with the trigger for the thread).
      while (engine.counters.invocations - before < total / batch) await new Promise((r) => setTimeout(r, 1));
      const msgsPerS = total / ((performance.now() - t0) / 1000);
      const left = await backend.queues.stats('bench');
      if (left.visible + left.inFlight + left.delayed !== 0) throw new Error(`${left.visible + left.inFlight} messages left after the run`);
      if (engine.counters.errors + engine.counters.timeouts > 0) throw new Error('a no-op invocation failed');
      return { msgsPerS, invocations: engine.counters.invocations - before };
    } finally {
      await engine.stop();
    }
  });
}

/**
 * Messages per second through queue -> function (no-op) -> delete at batch sizes 10 and 100,
 * beside the raw queue throughput at the same batch size in the same run (the baseline).
 */
export async function queueToFunction(options: { totals?: Record<10 | 100, number> } = {}): Promise<BenchPart> {
  const totals = options.totals ?? { 10: 30_000, 100: 100_000 };
  await rawQueue(100, 10_000); // warm-up
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const batch of [10, 100] as const) {
    const total = totals[batch];
    const raw = await rawQueue(batch, total);
    const run = await viaTrigger(batch, total);
    figures.push({ bench: 'trigger', figure: `msgs_per_s_batch${batch}`, value: run.msgsPerS, unit: 'msg/s', baseline: raw });
    if (batch === 100) {
      const floor = await storeFloor(batch, total);
      figures.push({ bench: 'trigger', figure: `store_floor_msgs_per_s_batch${batch}`, value: floor, unit: 'msg/s', baseline: raw, goal: 'context: the store writes of the trigger path alone' });
      const floorMin = await storeFloorMin(batch, total);
      figures.push({ bench: 'trigger', figure: `store_floor_min_msgs_per_s_batch${batch}`, value: floorMin, unit: 'msg/s', baseline: raw, goal: 'context: two commits per batch with run records' });
      notes.push(`store floor min batch ${batch}: the least store work with run records and attempts counted before the handler starts (sendBatch; per batch one transaction of a counting receive + the run's start row, then one group of its finish + deleteBatch), one thread, no engine or worker; baseline the same raw queue run.`);
      notes.push(`store floor batch ${batch}: the least the trigger writes (sendBatch; per batch an uncounted receive, the run's start row + startAttempts in one group, its finish + deleteBatch in another) in one thread, no engine or worker; baseline the same raw queue run.`);
    }
    notes.push(`queue -> fn batch ${batch}: ${total.toLocaleString('en-US')} messages in ${run.invocations.toLocaleString('en-US')} invocations (fn concurrency 4, one trigger); baseline is the raw queue (sendBatch + receive + deleteBatch) in the same run.`);
  }
  return { figures, notes };
}

/** The parts of this benchmark, in report order. */
export const parts: Array<() => Promise<BenchPart>> = [() => queueToFunction(), () => invokeOverhead()];

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
