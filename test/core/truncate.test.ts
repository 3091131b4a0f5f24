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

  it('a long string inside an event is summarized as when its JSON is written whole, escapes and surrogate pairs at every cut', () => {
    // What summarize kept when every string was stringified whole: the longest prefix of the JSON within maxBytes.
    const reference = (value: unknown, maxBytes: number) => {
      const json = JSON.stringify(value);
      if (Buffer.byteLength(json) <= maxBytes) return json;
      const buf = Buffer.from(json);
      let end = maxBytes;
      while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
      return `${buf.subarray(0, end).toString()}…[truncated]`;
    };
    const unit = 'a"b\\\nc😀é\u0001€';
    for (let max = 1; max <= 60; max++) {
      for (const pad of ['', 'x', 'xy', '😀']) {
        for (const body of [pad + unit.repeat(40), unit.repeat(40) + pad, '😀'.repeat(50) + pad]) {
          for (const value of [{ Records: [{ body }] }, [body], [pad, body, 1], { a: pad, b: body }]) expect(summarize(value, max)).toBe(reference(value, max));
        }
      }
    }
  });

  it('never reads a property past the end of the summary (a lazy one is not computed)', () => {
    let reads = 0;
    const record = {
      body: 'x'.repeat(5000),
      get md5OfBody() {
        reads++;
        return 'hash';
      },
    };
    expect(summarize({ Records: [record] }, 100)).toBe(`{"Records":[{"body":"${'x'.repeat(100 - 21)}…[truncated]`);
    expect(reads).toBe(0);
    expect(summarize({ Records: [record] }, 10_000)).toBe(JSON.stringify({ Records: [record] }));
    expect(reads).toBe(2);
  });

  it('describes what JSON cannot encode', () => {
    expect(summarize({ n: 1n }, 100)).toMatch(/^\[not JSON: .*BigInt/);
  });
});
