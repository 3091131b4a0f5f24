// npm run bench -- queue
//
// Messages per second through the local queue store, at batch sizes 10 and 100, on a fresh SQLite
// file in a temp dir with the real clock. Each message goes through sendBatch, receive and
// deleteBatch. The figure is the steady state of a busy queue: a standing backlog of 10,000
// messages, and rounds of sendBatch(n) → receive(n) → deleteBatch(n). Beside it, in the same run,
// the floor: plain better-sqlite3 inserting n rows and deleting the n oldest, each in its own
// transaction, over the same standing backlog. ratio = queue / floor. Each is measured twice,
// alternating, and the better run counts (other processes on a 2-core machine add noise).
//
// A note also reports draining a backlog (fill with sendBatch, then receive + deleteBatch until
// empty), CPU time per message, which contention on the machine distorts less than wall time, and
// bytes written per message (Linux /proc/self/io): on a quiet machine, wall time above CPU time is
// mostly the fsync of those bytes when the WAL is checkpointed.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocal } from '../src/backends/local/index.ts';
import type { QueueStore } from '../src/ports/queues.ts';
import { report, type Figure } from './report.ts';

const BATCHES = [10, 100] as const;
/** Messages per measured run, sized so the whole bench takes well under a minute. */
const TOTAL: Record<(typeof BATCHES)[number], number> = { 10: 50_000, 100: 200_000 };
const BACKLOG = 10_000;
const DRAIN = 100_000;
const RUNS = 2;
const BODY = JSON.stringify({ orderId: 'ord-000000', customer: 'cus-0000', amount: 1234, items: ['sku-1', 'sku-2'], note: 'x'.repeat(24) });

interface Run {
  msgsPerS: number;
  cpuUsPerMsg: number;
  /** Bytes this process wrote per message (write syscalls); NaN where /proc/self/io is missing. */
  bytesPerMsg: number;
}

/** Bytes written by this process so far (Linux), or NaN. */
function written(): number {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Times `fn` (which moves `total` messages) in wall and CPU time, and counts the bytes it wrote. */
async function measure(total: number, fn: () => Promise<void> | void): Promise<Run> {
  const bytes0 = written();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { msgsPerS: total / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / total, bytesPerMsg: (written() - bytes0) / total };
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.msgsPerS > a.msgsPerS ? b : a));
}

/** A fresh local backend with one queue, in a temp dir removed afterwards. */
async function withQueue<T>(fn: (q: QueueStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-queue-'));
  const backend = openLocal({ dir });
  try {
    await backend.queues.declare({ name: 'bench', visibilityTimeoutMs: 60_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 262_144 });
    return await fn(backend.queues);
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fill(q: QueueStore, batch: number, count: number): Promise<void> {
  const inputs = Array.from({ length: batch }, () => ({ body: BODY, attributes: { kind: 'order' } }));
  for (let sent = 0; sent < count; sent += batch) {
    const results = await q.sendBatch('bench', inputs);
    if (results.some((r) => !r.ok)) throw new Error('a send failed');
  }
}

async function receiveAndDelete(q: QueueStore, batch: number): Promise<number> {
  const got = await q.receive('bench', { maxMessages: batch });
  const results = await q.deleteBatch('bench', got.map((m) => m.receiptHandle));
  if (results.some((r) => !r.ok)) throw new Error('a delete failed');
  return got.length;
}

function steadyQueue(batch: number, total: number): Promise<Run> {
  return withQueue(async (q) => {
    await fill(q, 100, BACKLOG);
    const run = await measure(total, async () => {
      for (let done = 0; done < total; done += batch) {
        await fill(q, batch, batch);
        if ((await receiveAndDelete(q, batch)) !== batch) throw new Error('short receive');
      }
    });
    if ((await q.stats('bench')).visible !== BACKLOG) throw new Error('the backlog changed size');
    return run;
  });
}

function drainQueue(batch: number, total: number): Promise<{ fill: Run; drain: Run }> {
  return withQueue(async (q) => {
    const filled = await measure(total, () => fill(q, batch, total));
    const drained = await measure(total, async () => {
      for (let done = 0; done < total; ) {
        const n = await receiveAndDelete(q, batch);
        if (n === 0) throw new Error(`queue ran dry after ${done} of ${total}`);
        done += n;
      }
    });
    return { fill: filled, drain: drained };
  });
}

/** The floor: the same rows inserted, and the oldest deleted by id, in transactions of `batch` rows. */
async function steadyFloor(batch: number, total: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE m (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare<[string]>('INSERT INTO m (body) VALUES (?)');
    const del = db.prepare<[number]>('DELETE FROM m WHERE id = ?');
    const insertBatch = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(BODY);
    });
    const deleteBatch = db.transaction((from: number, n: number) => {
      for (let i = 0; i < n; i++) del.run(from + i);
    });
    for (let i = 0; i < BACKLOG; i += 100) insertBatch(100);
    let oldest = 1;
    return await measure(total, () => {
      for (let done = 0; done < total; done += batch) {
        insertBatch(batch);
        deleteBatch(oldest, batch);
        oldest += batch;
      }
    });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const kib = (bytes: number) => (Number.isNaN(bytes) ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`);
const load = () => loadavg()[0]!.toFixed(1);
const loadBefore = load();

// Warm up the JIT and the file system before measuring.
await steadyQueue(100, 20_000);
await steadyFloor(100, 20_000);

const figures: Figure[] = [];
const notes: string[] = [];
for (const batch of BATCHES) {
  const total = TOTAL[batch];
  const queueRuns: Run[] = [];
  const floorRuns: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    floorRuns.push(await steadyFloor(batch, total));
    queueRuns.push(await steadyQueue(batch, total));
  }
  const run = best(queueRuns);
  const floor = best(floorRuns);
  figures.push({
    bench: 'queue',
    figure: `msgs_per_s_batch${batch}`,
    value: run.msgsPerS,
    unit: 'msg/s',
    baseline: floor.msgsPerS,
    ...(batch === 100 ? { goal: '>= 100,000 msg/s' } : {}),
  });
  notes.push(
    `batch ${batch}: ${fmt(total)} messages over a standing backlog of ${fmt(BACKLOG)}; runs ${queueRuns.map((r) => fmt(r.msgsPerS)).join(', ')} msg/s; ` +
      `CPU ${run.cpuUsPerMsg.toFixed(1)} µs/msg (floor ${floor.cpuUsPerMsg.toFixed(1)} µs/msg); written ${kib(run.bytesPerMsg)}/msg (floor ${kib(floor.bytesPerMsg)}/msg)`,
  );
}
const { fill: filled, drain: drained } = await drainQueue(100, DRAIN);
notes.push(
  `backlog of ${fmt(DRAIN)} at batch 100: sendBatch ${fmt(filled.msgsPerS)} msg/s (CPU ${filled.cpuUsPerMsg.toFixed(1)} µs/msg), ` +
    `then receive + deleteBatch ${fmt(drained.msgsPerS)} msg/s (CPU ${drained.cpuUsPerMsg.toFixed(1)} µs/msg)`,
);
notes.push(`1-minute load average: ${loadBefore} before, ${load()} after (2 cores; above ~1, other processes compete for the CPU)`);
report(figures, notes);
