import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';

// The heap growth of src/runtime/heap.ts (defaults.heap): the process's old generations grow by
// defaults.heap.growingPercent past what is live; BATON_V8_HEAP=v8 leaves it to V8.
const here = dirname(fileURLToPath(import.meta.url));

describe('heap limits', () => {
  it('lets the old generation grow by growingPercent past what is live, not by V8\'s factor', async () => {
    const script = join(here, '../fixtures/heap/growth.ts');
    const peak = async (env: NodeJS.ProcessEnv, flags: string[] = []) => {
      // V8's own growing factor depends on the heap limit, which node derives from the host's (or
      // its cgroup's) memory: 4x only from a 2 GB limit, less below it (with the 1.75 GB limit of a
      // 7 GB host, off peaked at 129 MB, not 212, and this failed). A fixed limit (the command line
      // wins over NODE_OPTIONS) makes the comparison the same on every host.
      const args = ['--max-old-space-size=4096', ...flags, '--import', 'tsx', script];
      const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...process.env, ...env } });
      return (JSON.parse(stdout) as { peakMb: number }).peakMb;
    };
    const on = await peak({ [defaults.heap.env]: '' });
    const off = await peak({ [defaults.heap.env]: 'v8' });
    // ~20 MB live and 5 x 2 MB of garbage that lives long enough to be promoted: V8's own factor
    // for a 4 GB limit let this heap reach 210-220 MB (Node 20 and 22), 50% growth ~113 MB.
    expect(on).toBeLessThan(off * 0.7);
    // node's own flag wins, in either spelling V8 accepts.
    const own = await peak({ [defaults.heap.env]: '' }, ['--heap_growing_percent=300']);
    expect(own).toBeGreaterThan(on * 1.3);
  }, 60_000);
});
