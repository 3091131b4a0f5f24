// End to end: the clickstream example (seed 003) at its small size, on the embedded backend in a
// temp dir, on simulated time (no real waits for minutes or hours).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import demo from '../../examples/clickstream/demo.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('examples/clickstream', () => {
  it('firehose → queue → standardize → DLQ alarm → redrive → hourly compaction with a late file → SQL counts every valid event once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-clickstream-'));
    const lines: string[] = [];
    const result = await demo({ dir, small: true, log: (l) => lines.push(l) });
    expect(result.failures).toEqual([]);
    // 6 slots of 50 events (07:00-08:40, one every 20 minutes), 2 schema-invalid per slot; 10 tracker-v1 events in the dead-lettered file.
    expect(result.summary).toBe('300 events in 6 files, 288 valid in the lake (no duplicates), 12 rejected, 1 file dead-lettered and redriven, 1 late file appended once, 2 hourly partitions');
    expect(lines.find((l) => l.startsWith('compaction at 08:20'))).toMatch(/07h: compacted, 2 file\(s\) merged, 96 rows; 2026-03-05T08h: waiting/);
    expect(lines.find((l) => l.startsWith('compaction at 09:20'))).toMatch(/07h: merged-late, 1 file\(s\) merged, 144 rows; 2026-03-05T08h: compacted, 3 file\(s\) merged, 144 rows/);
    expect(lines.find((l) => l.startsWith('SQL:'))).toMatch(/^SQL: 288 events \(288 distinct ids; 07:144, 08:144 by hour\); 12 rejected/);
    expect(lines.find((l) => l.startsWith('DLQ:'))).toMatch(/after 2 attempts: .*tracker schema clickstream\/v1.*accept-legacy-v1 is off/);
  }, 60_000);
});
