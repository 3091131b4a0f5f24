import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocal, type LocalBackend, type LocalBackendOptions } from '../../src/backends/local/index.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';

export interface TestBackend {
  backend: LocalBackend;
  clock: FakeClock;
  dir: string;
  /** Closes and reopens the same state directory (as a restarted process would). */
  reopen(): Promise<LocalBackend>;
  close(): Promise<void>;
}

/** A local backend in a fresh temp directory with a fake clock; close() removes the directory. */
export function makeLocalBackend(options: Omit<LocalBackendOptions, 'dir' | 'clock'> = {}): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const clock = new FakeClock();
  const paramsKey = options.paramsKey ?? Buffer.alloc(32, 7);
  const t: TestBackend = {
    backend: openLocal({ ...options, paramsKey, dir, clock }),
    clock,
    dir,
    async reopen() {
      await t.backend.close();
      t.backend = openLocal({ ...options, paramsKey, dir, clock });
      return t.backend;
    },
    async close() {
      await t.backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
