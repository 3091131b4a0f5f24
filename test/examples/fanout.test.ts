import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import demo from '../../examples/fanout/demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-fanout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/fanout (seed 001)', () => {
  it('converts every CSV to Parquet through map, routes the large ones to the container, and the counts match exactly', async () => {
    const lines: string[] = [];
    const result = await demo({ dir, small: true, log: (line) => lines.push(line) });
    expect(result.failures).toEqual([]);
    // 30 files in, 30 Parquet files out; 3 above the threshold ran in the container executor.
    expect(result.summary).toMatch(/^30 CSV files -> 30 Parquet files, (\d+) rows \(SQL\) of \1, 27 function \/ 3 container, at most [23] at once$/);
    expect(lines.some((l) => /^map fanout: succeeded, 30\/30 succeeded, 0 failed/.test(l))).toBe(true);
  }, 60_000);
});
