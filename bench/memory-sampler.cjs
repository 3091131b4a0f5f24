// Preloaded by bench/memory-breakdown.ts's pipeline scenario (NODE_OPTIONS=--require, which worker
// threads honour too): every 250 ms, the v8 heap of this thread; its peak is written to
// $BATON_MEM_SAMPLES/<thread id>.json once a second. A measuring aid, never loaded by Baton.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { getHeapStatistics } = require('node:v8');
const { isMainThread, threadId, workerData } = require('node:worker_threads');

const dir = process.env.BATON_MEM_SAMPLES;
if (dir) {
  const name = isMainThread ? 'main' : (workerData && typeof workerData === 'object' && workerData.fnName) || `thread ${threadId}`;
  const peak = { name, usedHeapMb: 0, totalHeapMb: 0, externalMb: 0, limitMb: Math.round(getHeapStatistics().heap_size_limit / 1048576) };
  // BATON_MEM_SNAPSHOT_MB=<n>: one heap snapshot of the main thread, the first time its heap passes n MB.
  const snapshotAt = isMainThread ? Number(process.env.BATON_MEM_SNAPSHOT_MB ?? 0) : 0;
  let snapshotTaken = false;
  let ticks = 0;
  // BATON_MEM_SERIES=1: also the heap's used and total (MB) every 250 ms with its time (s since the epoch), to line up with the process's RSS.
  if (process.env.BATON_MEM_SERIES) peak.series = [];
  const timer = setInterval(() => {
    const h = getHeapStatistics();
    peak.usedHeapMb = Math.max(peak.usedHeapMb, Math.round(h.used_heap_size / 1048576));
    peak.totalHeapMb = Math.max(peak.totalHeapMb, Math.round(h.total_heap_size / 1048576));
    peak.externalMb = Math.max(peak.externalMb, Math.round(h.external_memory / 1048576));
    if (snapshotAt > 0 && !snapshotTaken && h.used_heap_size > snapshotAt * 1048576) {
      snapshotTaken = true;
      require('node:v8').writeHeapSnapshot(join(dir, '..', `main-${process.pid}.heapsnapshot`));
    }
    if (peak.series) peak.series.push([Math.round(Date.now() / 100) / 10, Math.round(h.used_heap_size / 1048576), Math.round(h.total_heap_size / 1048576)]);
    if (++ticks % 4 === 0) writeFileSync(join(dir, `${threadId}.json`), JSON.stringify(peak));
  }, 250);
  timer.unref();
}
