// End-to-end: the relay-poller example (seed 002) at its small size: a 400 ms function limit and
// ETL jobs of 4 s, relayed through the function's own async invokes; two reports complete, one
// runs out of its retries budget, each with one notification.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import demo from '../../examples/relay-poller/demo.ts';

describe('examples/relay-poller', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('relays each report’s job past the limit independently and notifies once per report', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-relay-poller-'));
    const lines: string[] = [];
    const result = await demo({ dir, small: true, log: (l) => lines.push(l) });
    expect(result.failures, lines.join('\n')).toEqual([]);
    expect(result.summary).toMatch(/^3 jobs, 2 complete, 1 failed on budget, \d+ invocations \(\d+\+\d+\+21\), 3 notifications/);
    const [a, b] = /\((\d+)\+(\d+)\+21\)/.exec(result.summary)!.slice(1).map(Number);
    for (const n of [a!, b!]) {
      expect(n).toBeGreaterThanOrEqual(5);
      expect(n).toBeLessThanOrEqual(21);
    }
  }, 90_000);
});
