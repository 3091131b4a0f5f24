import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import demo from '../../examples/csv-pipeline/demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-csv-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/csv-pipeline (seed 004)', () => {
  it('cleans, loads, streams, processes and updates every clean row exactly once; poison rows wait alone in the DLQ; logs hold no event', async () => {
    const lines: string[] = [];
    const result = await demo({ dir, small: true, log: (line) => lines.push(line) });
    expect(result.failures).toEqual([]);
    // 6,000 rows: 9 malformed (rejected with line numbers), 11 poison (DLQ after 3 tries; more than one page of receive), the rest processed once.
    expect(result.summary).toMatch(/^6000 rows: 5980 processed exactly once, 9 rejected, 11 poison in the DLQ, [\d.]+ s$/);
    expect(lines.some((l) => /none with an event$/.test(l))).toBe(true);
  }, 120_000);
});
