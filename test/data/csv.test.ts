import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvBatches, csvToParquet } from '../../src/data/csv/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { sql } from './sql.ts';

const schema = z.object({ id: z.int(), name: z.string(), amount: z.number(), active: z.boolean().optional(), joined: z.iso.date().optional() });

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
});
afterEach(async () => t.close());

function csv(n: number): string {
  const rows = ['id,name,amount,active,joined'];
  for (let i = 1; i <= n; i++) rows.push(`${i}, name ${i}\u0007 ,${i}.25,${i % 2 === 0},2026-01-${String((i % 28) + 1).padStart(2, '0')}`);
  return rows.join('\n') + '\n';
}

describe('csv ingestion', () => {
  it('cleans and coerces to Parquet; broken rows and bad values are rejected with line numbers', async () => {
    const lines = csv(500).split('\n');
    lines[10] = '10,too,many,fields,here,extra'; // line 11
    lines[499] = '499,"unterminated,1.0,true'; // line 500: the quote never closes; line 501 is still read
    lines[30] = '30,bad amount,12abc,maybe,2026-13-01'; // line 31
    lines[40] = ',  ,1,,'; // line 41: id and name empty after cleaning
    await t.backend.objects.put('uploads', 'in/people.csv', lines.join('\n'));
    const r = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/people.csv' }, schema, output: { bucket: 'uploads', key: 'clean/people.parquet' }, rejected: { bucket: 'uploads', key: 'rejected/people.jsonl' } });
    expect(r).toMatchObject({ read: 500, valid: 496, rejected: 4 });
    const path = t.backend.objects.localPath!('uploads', 'clean/people.parquet')!;
    const expectedIds = Array.from({ length: 500 }, (_, i) => i + 1).filter((i) => ![10, 30, 40, 499].includes(i));
    expect(await sql(`SELECT count(*) AS n, sum(id) AS ids, sum(amount) AS amount, min(name) AS first, typeof(any_value(joined)) AS jt FROM read_parquet('${path}')`)).toEqual([
      { n: 496, ids: expectedIds.reduce((a, b) => a + b, 0), amount: expectedIds.reduce((a, b) => a + b + 0.25, 0), first: 'name 1', jt: 'DATE' },
    ]);
    const rejected = (await t.backend.objects.get('uploads', 'rejected/people.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
    expect(rejected.map((x) => x.line)).toEqual([11, 31, 41, 500]);
    expect(rejected[0]!.reasons[0]).toBe('unreadable line: expected 5 columns, found 6');
    expect(rejected[3]!.reasons).toEqual(['unreadable line: Value with unterminated quote found.']);
    expect(rejected[1]!.reasons).toEqual(['amount: expected a number, got "12abc"', 'active: expected a boolean, got "maybe"', 'joined: expected an ISO date (YYYY-MM-DD), got "2026-13-01"']);
    expect(rejected[2]!.reasons).toEqual(['id: required, but missing or null', 'name: required, but missing or null']);
  });

  it('hands out cleaned rows in batches', async () => {
    await t.backend.objects.put('uploads', 'in/b.csv', csv(1234));
    const sizes: number[] = [];
    let sum = 0;
    let counts: unknown;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/b.csv' }, schema, rejected: { bucket: 'uploads', key: 'rej/b.jsonl' }, batchSize: 500, onCounts: (c) => (counts = c) })) {
      sizes.push(batch.length);
      for (const row of batch) sum += row['id'] as number;
    }
    expect(sizes).toEqual([500, 500, 234]);
    expect(sum).toBe((1234 * 1235) / 2);
    expect(counts).toEqual({ read: 1234, valid: 1234, rejected: 0 });
  });

  it('feeds a queue in batches (seed 004): one message per batch of cleaned rows, nothing lost', async () => {
    const q = t.backend.queues;
    await q.declare({ name: 'rows', visibilityTimeoutMs: 30_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 256 * 1024 });
    await t.backend.objects.put('uploads', 'in/q.csv', csv(1000));
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/q.csv' }, schema, rejected: { bucket: 'uploads', key: 'rej/q.jsonl' }, batchSize: 100 })) {
      await q.send('rows', { body: JSON.stringify(batch) });
    }
    const messages = await q.receive('rows', { maxMessages: 100 });
    expect(messages).toHaveLength(10);
    const ids = messages.flatMap((m) => (JSON.parse(m.body) as Array<{ id: number }>).map((r) => r.id));
    expect(ids.length).toBe(1000);
    expect(new Set(ids).size).toBe(1000);
  });

  it('cleans as configured: extra characters stripped, trim and empty-to-null off', async () => {
    await t.backend.objects.put('uploads', 'in/s.csv', 'a,b\n\u00a0x\u00a0 ,\n');
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/s.csv' }, rejected: { bucket: 'uploads', key: 'r.jsonl' }, cleaning: { strip: '\u00a0', trim: false, emptyToNull: false } })) rows.push(...batch);
    // DuckDB reads an empty unquoted field as NULL whatever the cleaning says.
    expect(rows).toEqual([{ a: 'x ', b: null }]);
  });

  it('says which columns are missing from the header', async () => {
    await t.backend.objects.put('uploads', 'in/c.csv', 'id,name\n1,a\n');
    await expect(csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/c.csv' }, schema, output: { bucket: 'uploads', key: 'o.parquet' }, rejected: { bucket: 'uploads', key: 'r.jsonl' } })).rejects.toThrow(/has no column "amount"/);
  });
});

describe('csv ingestion at scale (a parallel scan)', () => {
  it('numbers rejected rows exactly: repeated bad rows, a row the reader refuses; valid rows keep file order', async () => {
    const n = 200_000;
    const rows = ['id,name,amount,active,joined'];
    const rejectedLines: number[] = [];
    for (let i = 1; i <= n; i++) {
      const lineNo = i + 1;
      if (i === 150_001) rows.push('1,2,3,4,5,6,7');
      else if (i % 40_000 === 7) rows.push('x,dup,1,true,2026-01-01');
      else if (i % 9_973 === 0) rows.push(`${i},bad,12abc,true,2026-01-01`);
      else rows.push(`${i}, name ${i} ,${i}.25,${i % 2 === 0},2026-01-${String((i % 28) + 1).padStart(2, '0')}`);
      if (i === 150_001 || i % 40_000 === 7 || i % 9_973 === 0) rejectedLines.push(lineNo);
    }
    await t.backend.objects.put('uploads', 'in/big.csv', rows.join('\n') + '\n');
    const r = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/big.csv' }, schema, output: { bucket: 'uploads', key: 'clean/big.parquet' }, rejected: { bucket: 'uploads', key: 'rejected/big.jsonl' } });
    expect(r).toMatchObject({ read: n, valid: n - rejectedLines.length, rejected: rejectedLines.length });
    const rejected = (await t.backend.objects.get('uploads', 'rejected/big.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[]; raw: string });
    expect(rejected.map((x) => x.line)).toEqual(rejectedLines);
    expect(rejected.find((x) => x.line === 40_008)!.reasons).toEqual(['id: expected a whole number, got "x"']);
    expect(rejected.find((x) => x.line === 150_002)!.reasons[0]).toMatch(/^unreadable line: /);
    const path = t.backend.objects.localPath!('uploads', 'clean/big.parquet')!;
    expect(await sql(`SELECT count(*) AS n, count(*) FILTER (WHERE d <= 0) AS disorder, min(name) AS first FROM (SELECT id - lag(id) OVER (ORDER BY file_row_number) AS d, name FROM read_parquet('${path}', file_row_number=true))`)).toEqual([
      { n: n - rejectedLines.length, disorder: 0, first: 'name 1' },
    ]);
  });

  it('cleans typed values that do not cast as they are: control characters inside, no-break spaces around, extra characters', async () => {
    await t.backend.objects.put('uploads', 'in/t.csv', 'id,name,amount\n1\u00072,a,\u00a01.5\u00a0\n" 3 ",b,$2.5\n4,c,\t7\t\n');
    const rows: Array<Record<string, unknown>> = [];
    const typedSchema = z.object({ id: z.int(), name: z.string(), amount: z.number() });
    let counts: unknown;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/t.csv' }, schema: typedSchema, rejected: { bucket: 'uploads', key: 'r.jsonl' }, onCounts: (c) => (counts = c) })) rows.push(...batch);
    expect(rows).toEqual([
      { id: 12, name: 'a', amount: 1.5 },
      { id: 4, name: 'c', amount: 7 },
    ]);
    expect(counts).toMatchObject({ read: 3, valid: 2, rejected: 1 });
    const rows2: Array<Record<string, unknown>> = [];
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/t.csv' }, schema: typedSchema, rejected: { bucket: 'uploads', key: 'r.jsonl' }, cleaning: { strip: '$' } })) rows2.push(...batch);
    expect(rows2.map((r) => r['amount'])).toEqual([1.5, 2.5, 7]);
    // Characters outside ASCII to strip: values that cast as they are skip the cleaning, the others are cleaned first.
    await t.backend.objects.put('uploads', 'in/u.csv', 'id,name,amount\n1\u200b2,\u200ba\u200b,\u00a01.5\n3,b,2\u00a0\u200b\n');
    const rows3: Array<Record<string, unknown>> = [];
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/u.csv' }, schema: typedSchema, rejected: { bucket: 'uploads', key: 'r.jsonl' }, cleaning: { strip: '\u200b' } })) rows3.push(...batch);
    expect(rows3).toEqual([
      { id: 12, name: 'a', amount: 1.5 },
      { id: 3, name: 'b', amount: 2 },
    ]);
  });
});

describe('csv ingestion input forms', () => {
  it('reads a gzip CSV and a header after a byte-order mark', async () => {
    const { gzipSync } = await import('node:zlib');
    await t.backend.objects.put('uploads', 'in/g.csv.gz', gzipSync('\uFEFFid,name,amount\r\n1,a,1.5\r\n2,b,x\r\n'));
    const r = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/g.csv.gz' }, schema: z.object({ id: z.int(), name: z.string(), amount: z.number() }), output: { bucket: 'uploads', key: 'g.parquet' }, rejected: { bucket: 'uploads', key: 'g.jsonl' } });
    expect(r).toMatchObject({ read: 2, valid: 1, rejected: 1 });
    const rejected = JSON.parse((await t.backend.objects.get('uploads', 'g.jsonl')).body.toString('utf8').trim()) as { line: number; reasons: string[] };
    expect(rejected).toMatchObject({ line: 3, reasons: ['amount: expected a number, got "x"'] });
  });
});

describe('csv timestamps and dates (issue 11: what the schema accepts, nothing else)', () => {
  it('takes only text the schema regex accepts, as safeParse does', async () => {
    const s = z.object({ id: z.int(), at: z.iso.datetime(), on: z.iso.date().optional(), off: z.iso.datetime({ offset: true }).optional() });
    const values: Array<[string, string, string]> = [
      ['2001-01-01T00:01:00Z', '2001-02-28', '2001-01-01T02:01:00+02:00'],
      ['2001-01-01 00:01:00', '', ''],
      ['2001-01-01', '', ''],
      ['2001-01-01T00:01:00', '', ''],
      ['2001-01-01T00:01Z', '', ''],
      ['2001-01-01T00:01:00.5Z', '2001-02-30', ''],
      ['2001-01-01T00:01:00Z', '2001-2-3', ''],
      ['2001-01-01T00:01:00Z', '', '2001-01-01T00:01:00+0200'],
    ];
    const text = ['id,at,on,off', ...values.map((v, i) => `${i + 1},${v.join(',')}`)].join('\n') + '\n';
    await t.backend.objects.put('uploads', 'in/ts.csv', text);
    const r = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/ts.csv' }, schema: s, output: { bucket: 'uploads', key: 'ts.parquet' }, rejected: { bucket: 'uploads', key: 'ts.jsonl' } });
    const zodValid = values.map(([at, on, off], i) => s.safeParse({ id: i + 1, at, ...(on ? { on } : {}), ...(off ? { off } : {}) }).success);
    expect(zodValid).toEqual([true, false, false, false, false, false, false, false]);
    expect(r).toMatchObject({ read: 8, valid: 1, rejected: 7 });
    const rows = await sql(`SELECT id, "at"::VARCHAR AS at, "on"::VARCHAR AS on, "off"::VARCHAR AS off FROM read_parquet('${t.backend.objects.localPath!('uploads', 'ts.parquet')!}')`);
    expect(rows).toEqual([{ id: 1, at: '2001-01-01 00:01:00', on: '2001-02-28', off: '2001-01-01 00:01:00' }]);
  });
});

describe('csv numbers (issue 11: decimal numbers only, in the format range)', () => {
  it('refuses what DuckDB would read as a number but is not a decimal number', async () => {
    const s = z.object({ id: z.int(), i: z.int().optional(), n: z.number().optional(), small: z.int32().optional() });
    const rows = ['1,7,6.5,5', '2,0x10,,', '3,1_000,,', '4,0b11,,', '5,,NaN,', '6,,Infinity,', '7,,1_0.5,', '8,,-inf,', '9,,,2147483648', '10,9007199254740992,,', '11,+5,1e3,-2147483648'];
    await t.backend.objects.put('uploads', 'in/n.csv', ['id,i,n,small', ...rows].join('\n') + '\n');
    const r = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/n.csv' }, schema: s, output: { bucket: 'uploads', key: 'n.parquet' }, rejected: { bucket: 'uploads', key: 'n.jsonl' } });
    expect(r).toMatchObject({ read: 11, valid: 2, rejected: 9 });
    expect(await sql(`SELECT id, i, n, small FROM read_parquet('${t.backend.objects.localPath!('uploads', 'n.parquet')!}')`)).toEqual([
      { id: 1, i: 7, n: 6.5, small: 5 },
      { id: 11, i: 5, n: 1000, small: -2147483648 },
    ]);
  });
});
