/** Shared set-up for the engine, trigger and alarm tests: fixture paths, backends, waiting helpers. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal, systemClock, type LocalBackend } from '../../src/backends/local/index.ts';
import type { FakeClock } from '../../src/testing/fake-clock.ts';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');

/** A local backend on the real clock in a fresh temp dir, for tests where worker threads run real time. */
export function realBackend(): { backend: LocalBackend; dir: string; out: string; close(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-engine-'));
  const backend = openLocal({ dir, clock: systemClock, paramsKey: Buffer.alloc(32, 7) });
  return {
    backend,
    dir,
    out: join(dir, 'out.jsonl'),
    async close() {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The JSON lines a fixture appended to its $OUT_FILE. Only whole lines: a fixture in a worker may be
 * writing the last one while this reads, so the text after the last newline is left for next time.
 */
export function lines<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/**
 * Waits (real time, short steps) until `cond` holds; with a fake clock, moves it `stepMs` per step
 * while something sleeps on it. Fails after `timeoutMs` of real time.
 */
export async function until(cond: () => boolean | Promise<boolean>, opts: { clock?: FakeClock; stepMs?: number; timeoutMs?: number; what?: string } = {}): Promise<void> {
  const end = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    if (opts.clock && opts.clock.pending > 0) await opts.clock.advance(opts.stepMs ?? 100);
    await new Promise<void>((r) => setTimeout(r, 5));
  }
}

/** Waits until the function has at least `min` runs and none is still running (a handler writes its output before its run is finished). */
export async function runsSettled(backend: { runs: { list(f: { fn: string; limit: number }): Promise<Array<{ status: string }>> } }, fnName: string, min = 1, opts: { clock?: FakeClock } = {}): Promise<void> {
  await until(
    async () => {
      const runs = await backend.runs.list({ fn: fnName, limit: 1000 });
      return runs.length >= min && runs.every((r) => r.status !== 'running');
    },
    { ...opts, what: `the runs of fn ${fnName} to finish` },
  );
}
