import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import demo from '../../examples/quickstart/demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-quickstart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/quickstart on local', () => {
  it('writes and totals every order once, dead-letters the broken file with its last error and one alarm, and recovers after the fix and redrive', async () => {
    const lines: string[] = [];
    const result = await demo({ dir, small: true, log: (line) => lines.push(line) });
    expect(result.failures).toEqual([]);
    expect(result.summary).toMatch(/^101 orders, totals 505, 1 dead-lettered and redriven, 2 alerts$/);
    expect(lines.some((l) => /DLQ holds 1 message: .+/.test(l) && !/no last error/.test(l))).toBe(true);
  }, 120_000);
});
