/**
 * How far V8 may let the heaps of a Baton process grow past what they hold live (defaults.heap).
 * V8's own policy sizes heaps for throughput on a machine with memory to spare: after a full GC an
 * isolate's old generation may grow to up to 4x what survived (the factor rises with the heap limit,
 * 4 GB for the engine's thread), and a busy isolate's young generation grows to 2 x 16 MB. A Baton
 * process holds seven isolates (the engine's, one per function worker, the module loader's), so the
 * csv-pipeline peaked near 700 MB with ~23 MB live in the engine (bench/memory-breakdown.ts).
 *
 * The growing factor is a process-wide V8 flag, read at every GC: set once here, it holds for the
 * engine's isolate and for every worker's (a worker shares the process's flags), and for the rest
 * of a process that embeds the engine. `BATON_V8_HEAP=v8` leaves it to V8, and a
 * `--heap-growing-percent` given to node wins. Young generations are left to V8: capping them
 * costs CPU (defaults.heap).
 */
import { setFlagsFromString } from 'node:v8';
import { defaults } from '../core/defaults.ts';

let applied = false;

/**
 * Sets V8's heap growing factor for this process (defaults.heap.growingPercent), once; called at
 * engine start and before a function worker is spawned. A no-op when turned off or when node was
 * started with its own --heap-growing-percent.
 */
export function applyHeapGrowth(): void {
  if (applied) return;
  applied = true;
  // V8 takes its flags with dashes or underscores (--heap_growing_percent=300 is the same flag).
  if (process.env[defaults.heap.env] === 'v8' || process.execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${defaults.heap.growingPercent}`);
}
