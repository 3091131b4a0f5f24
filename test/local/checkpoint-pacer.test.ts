import { describe, expect, it } from 'vitest';
import { CheckpointPacer } from '../../src/backends/local/checkpoint-pacer.ts';

describe('CheckpointPacer (one WAL checkpoint per interval across the threads of a process)', () => {
  it('lets exactly one of the connections sharing a file claim each interval', () => {
    const shared = new BigInt64Array(new SharedArrayBuffer(8));
    const a = new CheckpointPacer(shared, 1000);
    const b = new CheckpointPacer(shared, 1000);
    expect(a.claim(10_000)).toBe(true);
    expect(b.claim(10_000)).toBe(false);
    expect(a.claim(10_999)).toBe(false);
    expect(b.claim(11_000)).toBe(true);
    expect(a.claim(11_500)).toBe(false);
  });

  it('shares the pace of a file between pacers made for it, not with other files', () => {
    const a = CheckpointPacer.forFile('/tmp/pacer-test-a/state.db', 1000);
    const again = CheckpointPacer.forFile('/tmp/pacer-test-a/state.db', 1000);
    const other = CheckpointPacer.forFile('/tmp/pacer-test-b/state.db', 1000);
    expect(a.claim(5000)).toBe(true);
    expect(again.claim(5001)).toBe(false);
    expect(other.claim(5001)).toBe(true);
  });
});
