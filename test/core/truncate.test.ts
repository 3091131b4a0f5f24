import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/core/truncate.ts';

describe('summarize', () => {
  it('writes a value that fits exactly as JSON.stringify does', () => {
    const value = { a: 1, b: [1, undefined, 'x'], c: undefined, d: new Date(0), e: { f: null, g: () => 1 } };
    expect(summarize(value, 1024)).toBe(JSON.stringify(value));
    expect(summarize(undefined, 10)).toBe('undefined');
    expect(summarize('plain', 10)).toBe('"plain"');
  });

  it('cuts a large event to the limit, as a prefix of its JSON, without writing all of it', () => {
    const event = { Records: Array.from({ length: 100_000 }, (_, i) => ({ id: i, body: 'é'.repeat(20) })) };
    const out = summarize(event, 200);
    expect(out.endsWith('…[truncated]')).toBe(true);
    const kept = out.slice(0, -'…[truncated]'.length);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(200);
    expect(JSON.stringify(event).startsWith(kept)).toBe(true);
  });

  it('describes what JSON cannot encode', () => {
    expect(summarize({ n: 1n }, 100)).toMatch(/^\[not JSON: .*BigInt/);
  });
});
