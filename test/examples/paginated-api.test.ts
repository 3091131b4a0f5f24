// Seed 000 end to end: the paginated-api example's demo at the small size (one day).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import demo from '../../examples/paginated-api/demo.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('examples/paginated-api', () => {
  it('pulls 600 elements over two or more scheduled runs, stops calling the API once done, and loads each element once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-paginated-api-'));
    const lines: string[] = [];
    const result = await demo({ dir, small: true, log: (l) => lines.push(l) });
    expect(result.failures).toEqual([]);
    expect(result.summary).toMatch(/^600 rows in table elements \(1 day x 600, no duplicates\)/);
    expect(result.summary).toContain(', 30 API requests,');
    expect(result.summary).toMatch(/, [1-7] later ticks made no call$/);
    expect(lines.filter((l) => l.includes('stopped-for-time')).length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => / finished: elements \d+ -> 600 /.test(l))).toHaveLength(1);
  }, 60_000);
});
