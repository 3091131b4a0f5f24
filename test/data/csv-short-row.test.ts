import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvToParquet } from '../../src/data/csv/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
});
afterEach(async () => t.close());

describe('a CSV row with too few or too many columns', () => {
  it('is rejected with a reason that says how many columns it has, not a list of numbers', async () => {
    const schema = z.object({ a: z.int(), b: z.int(), c: z.int(), d: z.int(), e: z.int(), f: z.int() });
    const lines = ['a,b,c,d,e,f'];
    for (let i = 1; i <= 30; i++) lines.push(i === 12 ? '1,2,3' : i === 20 ? '1,2,3,4,5,6,7,8' : `${i},2,3,4,5,6`);
    await t.backend.objects.put('uploads', 'in.csv', `${lines.join('\n')}\n`);
    const counts = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in.csv' }, schema, output: { bucket: 'uploads', key: 'out.parquet' }, rejected: { bucket: 'uploads', key: 'rejected.jsonl' } });
    expect(counts).toMatchObject({ read: 30, valid: 28, rejected: 2 });
    const rejected = (await t.backend.objects.get('uploads', 'rejected.jsonl')).body.toString().trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
    expect(rejected.map((r) => r.line)).toEqual([13, 21]);
    for (const r of rejected) expect(r.reasons.join(' ')).not.toMatch(/Found: \d+, \d+/);
    expect(rejected[0]!.reasons).toEqual(['unreadable line: expected 6 columns, found 3']);
    expect(rejected[1]!.reasons).toEqual(['unreadable line: expected 6 columns, found 8']);
  });
});
