/** The chaos harness's own arithmetic: seeded lives replay, deliveries are told apart (at-least-once after a kill vs doubled), the report's table and JSON. */
import { describe, expect, it } from 'vitest';
import { formatTable, jsonLine } from './harness/report.ts';
import { deriveSeed, rng, seedFromEnv } from './harness/rng.ts';
import { countDeliveries, type Delivery } from './scenarios/two-engines.ts';

describe('chaos rng', () => {
  it('replays the same numbers for a seed, and a different run per example', () => {
    const a = rng(42);
    const b = rng(42);
    const xs = Array.from({ length: 5 }, () => a.int(800, 3000));
    expect(Array.from({ length: 5 }, () => b.int(800, 3000))).toEqual(xs);
    expect(xs.every((x) => x >= 800 && x <= 3000)).toBe(true);
    expect(deriveSeed(42, 'fanout')).not.toBe(deriveSeed(42, 'clickstream'));
    expect(deriveSeed(42, 'fanout')).toBe(deriveSeed(42, 'fanout'));
  });

  it('takes CHAOS_SEED when given and refuses a seed that is not a whole number', () => {
    expect(seedFromEnv({ CHAOS_SEED: '1338267516' })).toBe(1338267516);
    expect(() => seedFromEnv({ CHAOS_SEED: 'abc' })).toThrow(/CHAOS_SEED=abc: expected a whole number/);
    expect(seedFromEnv({})).toBeGreaterThan(0);
  });
});

describe('two-engines delivery accounting', () => {
  const d = (pid: number, at: number): Delivery => ({ pid, at });
  const expected = ['queue m-1', 'object in/o-1', 'stream i-1', 'queue m-2'];

  it('counts a repeat after the earlier engine was killed as at-least-once, a repeat by live engines as doubled', () => {
    const got = new Map([
      ['queue m-1', [d(10, 100), d(11, 300)]], // 10 killed at 200: redelivered
      ['object in/o-1', [d(11, 150), d(12, 160)]], // both alive: doubled
      ['stream i-1', [d(12, 100)]],
      ['queue m-2', [d(10, 100), d(11, 150)]], // 10 killed only later, at 200: doubled
    ]);
    const r = countDeliveries(expected, got, new Map([[10, 200]]));
    expect(r.redelivered).toBe(1);
    expect(r.doubled).toBe(2);
    expect([...r.byKind]).toEqual([['object', 1], ['queue', 1]]);
    expect(r.examples[0]).toMatch(/^object in\/o-1 delivered 2 times while the engines that had it lived \(pid 11 at .*, pid 12 at .*\)$/);
    expect(r.byPid.get(11)).toBe(3);
  });

  it('finds nothing doubled when each record came once', () => {
    const got = new Map(expected.map((k, i) => [k, [d(10 + (i % 2), 100)]]));
    expect(countDeliveries(expected, got, new Map())).toMatchObject({ doubled: 0, redelivered: 0, examples: [] });
  });
});

describe('chaos report', () => {
  const report = { example: 'csv-pipeline', seed: 7, kills: 3, seconds: 80.8, lives: [1, 2, 3], expected: 5991, found: 5990, duplicates: 1, lost: 0, failures: ['1 rows updated more than once'], notes: { redriven: 2 } };

  it('prints a table with the verdict and the line that replays a failure, and one JSON line', () => {
    const table = formatTable([report]);
    expect(table.split('\n')[0]).toMatch(/^example\s+seed\s+kills\s+expected\s+found\s+duplicates\s+lost\s+seconds\s+verdict$/);
    expect(table).toMatch(/csv-pipeline\s+7\s+3\s+5991\s+5990\s+1\s+0\s+80\.8\s+FAIL/);
    expect(table).toContain('replay: CHAOS_SEED=7 CHAOS_ONLY=csv-pipeline CHAOS_KILLS=3 npm run chaos');
    expect(JSON.parse(jsonLine(report))).toMatchObject({ chaos: 'csv-pipeline', seed: 7, kills: 3, expected: 5991, found: 5990, duplicates: 1, lost: 0, ok: false, notes: { redriven: 2 } });
  });
});
