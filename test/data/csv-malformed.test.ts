/**
 * Malformed CSV (issue 5): every data line ends up as a valid row or as a rejected one with its
 * line number (header = line 1) and a reason; nothing is lost and nothing crashes the run.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvBatches, csvToParquet } from '../../src/data/csv/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { sql } from './sql.ts';

const schema = z.object({ id: z.int(), name: z.string(), amount: z.number() });
const UNTERMINATED = 'unreadable line: Value with unterminated quote found.';

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
});
afterEach(async () => t.close());

interface Rejected {
  line: number;
  reasons: string[];
  raw: string;
}

/** Ingests `body` to Parquet; returns the counts, the valid rows' ids in file order and the rejected rows. */
async function ingest(body: string | Buffer, key = 'in/x.csv') {
  await t.backend.objects.put('uploads', key, body);
  const counts = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key }, schema, output: { bucket: 'uploads', key: 'out.parquet' }, rejected: { bucket: 'uploads', key: 'rejected.jsonl' } });
  const path = t.backend.objects.localPath!('uploads', 'out.parquet')!;
  const ids = (await sql(`SELECT id FROM read_parquet('${path}', file_row_number=true) ORDER BY file_row_number`)).map((r) => r['id'] as number);
  const rejected = counts.rejected === 0 ? [] : (await t.backend.objects.get('uploads', 'rejected.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Rejected);
  return { counts, ids, rejected };
}

/** A CSV of rows 1..n (`id,name id,id.5`), with some lines replaced: line number (header = 1) → text. */
function csv(n: number, replace: Record<number, string> = {}, eol = '\n'): string {
  const lines = ['id,name,amount'];
  for (let i = 1; i <= n; i++) lines.push(replace[i + 1] ?? `${i},name ${i},${i}.5`);
  return lines.join(eol) + eol;
}

const range = (n: number, without: number[] = []) => Array.from({ length: n }, (_, i) => i + 1).filter((i) => !without.includes(i));

describe('an unterminated quote', () => {
  it('rejects only its own line: the lines after it are read, not swallowed', async () => {
    const r = await ingest(csv(8, { 4: '3,"name 3,3.5' }));
    expect(r.counts).toMatchObject({ read: 8, valid: 7, rejected: 1 });
    expect(r.ids).toEqual(range(8, [3]));
    expect(r.rejected).toEqual([{ line: 4, reasons: [UNTERMINATED], raw: '3,"name 3,3.5' }]);
  });

  it('that pairs with a later quote, twice, in a file read in parallel: every line is a row or a rejected line', async () => {
    // Line 101's quote closes at line 50001's, whose own quote then never closes.
    const n = 100_000;
    const r = await ingest(csv(n, { 101: '100,"name 100,100.5', 50_001: '50000,"name 50000,50000.5', 50_101: '50100,name,x' }));
    expect(r.counts).toMatchObject({ read: n, valid: n - 3, rejected: 3 });
    expect(r.ids).toEqual(range(n, [100, 50_000, 50_100]));
    expect(r.rejected.map((x) => [x.line, x.reasons])).toEqual([
      [101, [UNTERMINATED]],
      [50_001, [UNTERMINATED]],
      [50_101, ['amount: expected a number, got "x"']],
    ]);
  });

  it('followed by text after a closing quote on a later line; also when handed out in batches', async () => {
    const body = csv(6, { 3: '2,"name 2,2.5', 5: '4,"name 4",4.5' }) + '7,"a"x,7.5\n';
    await t.backend.objects.put('uploads', 'in/b.csv', body);
    const ids: number[] = [];
    let counts: unknown;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/b.csv' }, schema, rejected: { bucket: 'uploads', key: 'rej.jsonl' }, onCounts: (c) => (counts = c) })) {
      ids.push(...batch.map((row) => row['id'] as number));
    }
    expect(counts).toMatchObject({ read: 7, valid: 5, rejected: 2 });
    expect(ids).toEqual([1, 3, 4, 5, 6]);
    const rejected = (await t.backend.objects.get('uploads', 'rej.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Rejected);
    expect(rejected.map((x) => [x.line, x.reasons, x.raw])).toEqual([
      [3, [UNTERMINATED], '2,"name 2,2.5'],
      [8, [UNTERMINATED], '7,"a"x,7.5'],
    ]);
  });

  it('keeps a quoted value that rightly spans lines', async () => {
    const r = await ingest('id,name,amount\n1,"two\nlines",1\n2,b,x\n3,c,3\n');
    expect(r.counts).toMatchObject({ read: 3, valid: 2, rejected: 1 });
    expect(r.ids).toEqual([1, 3]);
    expect(r.rejected.map((x) => x.line)).toEqual([4]);
  });
});

describe('mixed line endings', () => {
  it('are read as they are meant, CRLF first or LF first', async () => {
    for (const body of ['id,name,amount\r\n1,a,1\r\n2,b,2\n3,c,x\r\n4,d,4\n', 'id,name,amount\n1,a,1\n2,b,2\r\n3,c,x\n4,d,4\r\n']) {
      const r = await ingest(body);
      expect(r.counts).toMatchObject({ read: 4, valid: 3, rejected: 1 });
      expect(r.ids).toEqual([1, 2, 4]);
      expect(r.rejected).toEqual([{ line: 4, reasons: ['amount: expected a number, got "x"'], raw: '{"id":"3","name":"c","amount":"x"}' }]);
    }
  });

  it('after a quoted value, which DuckDB took for a quote error', async () => {
    for (const body of ['id,name,amount\n1,a,"1"\r\n2,b,2\n', 'id,name,amount\r\n1,a,1\r\n2,b,"2"\n']) {
      const r = await ingest(body);
      expect(r.counts).toMatchObject({ read: 2, valid: 2, rejected: 0 });
      expect(r.ids).toEqual([1, 2]);
    }
  });

  it('in a gzip CSV', async () => {
    const r = await ingest(gzipSync('id,name,amount\r\n1,"a\r\nb",1\n2,b,2\r\n3,c,3,4\n'), 'in/m.csv.gz');
    expect(r.counts).toMatchObject({ read: 3, valid: 2, rejected: 1 });
    expect(r.ids).toEqual([1, 2]);
    expect(r.rejected.map((x) => x.line)).toEqual([5]);
  });
});

describe('line numbers', () => {
  it('count blank lines (which are skipped, not rejected) and quoted line breaks', async () => {
    const body = 'id,name,amount\n1,a,1\n\n\n2,b,x\n\n3,c,3,4\n4,"d\n\nd",4\n5,e\n6,f,6\n\n';
    const r = await ingest(body);
    expect(r.counts).toMatchObject({ read: 6, valid: 3, rejected: 3 });
    expect(r.ids).toEqual([1, 4, 6]);
    expect(r.rejected.map((x) => [x.line, x.raw])).toEqual([
      [5, '{"id":"2","name":"b","amount":"x"}'],
      [7, '3,c,3,4'],
      [11, '5,e'],
    ]);
  });

  it('in a one-column file, where DuckDB reads a blank line as a row', async () => {
    await t.backend.objects.put('uploads', 'in/one.csv', 'name\nx\n\ny\n\n"never closed\nz\n');
    const names: unknown[] = [];
    let counts: unknown;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/one.csv' }, schema: z.object({ name: z.string() }), rejected: { bucket: 'uploads', key: 'r1.jsonl' }, onCounts: (c) => (counts = c) })) {
      names.push(...batch.map((row) => row['name']));
    }
    expect(names).toEqual(['x', 'y', 'z']);
    expect(counts).toMatchObject({ read: 4, valid: 3, rejected: 1 });
    const rejected = JSON.parse((await t.backend.objects.get('uploads', 'r1.jsonl')).body.toString('utf8')) as Rejected;
    expect(rejected).toEqual({ line: 6, reasons: [UNTERMINATED], raw: '"never closed' });
  });

  it('count blank CRLF lines, in a file read in parallel', async () => {
    const replace: Record<number, string> = {};
    for (let line = 1000; line <= 100_000; line += 1000) replace[line] = '';
    replace[50_001] = 'x,b,1';
    replace[99_999] = '1,2,3,4';
    const r = await ingest(csv(100_000, replace, '\r\n'));
    expect(r.counts).toMatchObject({ read: 100_000 - 100, rejected: 2 });
    expect(r.rejected.map((x) => x.line)).toEqual([50_001, 99_999]);
  });
});

describe('a gzip CSV', () => {
  it('is read whatever its name ends with', async () => {
    const r = await ingest(gzipSync(csv(3, { 3: '2,b,x' })), 'in/g.csv');
    expect(r.counts).toMatchObject({ read: 3, valid: 2, rejected: 1 });
    expect(r.rejected.map((x) => x.line)).toEqual([3]);
  });
});

describe('a line longer than the reader buffer', () => {
  const multiline = (n: number) => `"${'x'.repeat(99).concat('\n').repeat(Math.ceil(n / 100))}"`;

  it('is rejected with its line, not lost, in a file read in parallel; long lines under the limit are read', async () => {
    // Line 21's value spans 19,000 lines, line 30,001's 30,000 (3 MB, longer than the 2 MB buffer
    // though each of its lines is short); the 40 MB line is longer than DuckDB's default 32 MB buffer.
    const n = 100_000;
    const r = await ingest(csv(n, { 11: `10,${'x'.repeat(1_900_000)},10`, 21: `20,${multiline(1_900_000)},20`, 1001: `1000,${'x'.repeat(3_000_000)},1000`, 30_001: `30000,${multiline(3_000_000)},30000`, 50_001: `50000,${'y'.repeat(40_000_000)},50000`, 90_001: '90000,b,x' }));
    expect(r.counts).toMatchObject({ read: n, valid: n - 4, rejected: 4 });
    expect(r.ids).toEqual(range(n, [1000, 30_000, 50_000, 90_000]));
    expect(r.rejected.map((x) => x.line)).toEqual([1001 + 19_000, 30_001 + 19_000, 50_001 + 49_000, 90_001 + 49_000]);
    for (const x of r.rejected.slice(0, 3)) expect(x.reasons[0]).toMatch(/^unreadable line: /);
    expect(r.rejected[3]!.reasons).toEqual(['amount: expected a number, got "x"']);
  });

  it('is rejected when it fits the small buffer but is over the line limit (the only case that reads it with the length check)', async () => {
    // 2,010,010 bytes: under the 2 MiB buffer with its slack, over the 2,000,000-byte limit; 1,990,010 bytes is read.
    const r = await ingest(csv(50, { 11: `10,${'x'.repeat(2_010_000)},10`, 21: `20,${'w'.repeat(1_990_000)},20` }));
    expect(r.counts).toMatchObject({ read: 50, valid: 49, rejected: 1 });
    expect(r.ids).toEqual(range(50, [10]));
    expect(r.rejected.map((x) => [x.line, x.reasons])).toEqual([[11, ['unreadable line: longer than the maximum line size of 2000000 bytes']]]);
  });

  it('is rejected with its line when a quoted value spans lines that are each short', async () => {
    const n = 100_000;
    const r = await ingest(csv(n, { 21: `20,${multiline(1_900_000)},20`, 30_001: `30000,${multiline(10_000_000)},30000`, 90_001: '90000,b,x' }));
    expect(r.counts).toMatchObject({ read: n, valid: n - 2, rejected: 2 });
    expect(r.ids).toEqual(range(n, [30_000, 90_000]));
    expect(r.rejected.map((x) => x.line)).toEqual([30_001 + 19_000, 90_001 + 119_000]);
    expect(r.rejected[0]!.reasons[0]).toMatch(/^unreadable line: /);
  });

  it('is rejected when handed out in batches, also after a broken quote that makes the file be repaired', async () => {
    await t.backend.objects.put('uploads', 'in/long.csv', csv(6, { 3: `2,${'z'.repeat(36_000_000)},2`, 5: '4,"name 4,4.5' }));
    const ids: number[] = [];
    let counts: unknown;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/long.csv' }, schema, rejected: { bucket: 'uploads', key: 'rl.jsonl' }, onCounts: (c) => (counts = c) })) {
      ids.push(...batch.map((row) => row['id'] as number));
    }
    expect(counts).toMatchObject({ read: 6, valid: 4, rejected: 2 });
    expect(ids).toEqual([1, 3, 5, 6]);
    const rejected = (await t.backend.objects.get('uploads', 'rl.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Rejected);
    expect(rejected.map((x) => [x.line, x.reasons[0]?.slice(0, 17)])).toEqual([
      [3, 'unreadable line: '],
      [5, UNTERMINATED.slice(0, 17)],
    ]);
  });
});
