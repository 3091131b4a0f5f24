import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvBatches, csvJsonBatches, type CsvCounts } from '../../src/data/csv/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

// csvBatches streams a plain file (its rows handed out as DuckDB's pass gives them, the counts and
// rejected rows after the last batch) and keeps the rows of any other file in a table first (the
// counts before the first batch). Both hand out the same rows in file order.
const schema = z.object({ id: z.int(), name: z.string(), amount: z.number() });

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
});
afterEach(async () => t.close());

/** n rows; every 97th has a bad amount (rejected by value), row 500 has a field too many (refused by the reader). */
function lines(n: number): string[] {
  const out = ['id,name,amount'];
  for (let i = 1; i <= n; i++) out.push(i === 500 ? `${i},x,1,extra` : `${i}, name ${i} ,${i % 97 === 0 ? 'lots' : `${i}.5`}`);
  return out;
}

async function run(key: string, body: string) {
  await t.backend.objects.put('uploads', key, body);
  const events: string[] = [];
  const ids: number[] = [];
  let counts: CsvCounts | undefined;
  for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key }, schema, rejected: { bucket: 'uploads', key: `${key}.rej` }, batchSize: 1000, onCounts: (c) => ((counts = c), events.push('counts')) })) {
    events.push('batch');
    ids.push(...batch.map((r) => r['id'] as number));
  }
  const rejected = (await t.backend.objects.get('uploads', `${key}.rej`)).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
  return { events, ids, counts, rejected };
}

describe('csvBatches', () => {
  const n = 20_000;
  const expectedIds = Array.from({ length: n }, (_, i) => i + 1).filter((i) => i % 97 !== 0 && i !== 500);
  const expectedLines = [...Array.from({ length: Math.floor(n / 97) }, (_, k) => (k + 1) * 97 + 1), 501].sort((a, b) => a - b);

  it('streams a plain file: rows in file order, then the counts and the rejected rows with their lines and reasons', async () => {
    const r = await run('in/plain.csv', lines(n).join('\n') + '\n');
    expect(r.ids).toEqual(expectedIds);
    expect(r.events.at(-1)).toBe('counts');
    expect(r.events.filter((e) => e === 'batch')).toHaveLength(Math.ceil(expectedIds.length / 1000));
    expect(r.counts).toMatchObject({ read: n, valid: expectedIds.length, rejected: n - expectedIds.length });
    expect(r.rejected.map((x) => x.line)).toEqual(expectedLines);
    expect(r.rejected.find((x) => x.line === 98)!.reasons).toEqual(['amount: expected a number, got "lots"']);
    expect(r.rejected.find((x) => x.line === 501)!.reasons[0]).toBe('unreadable line: expected 3 columns, found 4');
  });

  it('keeps the rows of a file with CRLF line breaks in a table first: counts before the first batch, the same rows and lines', async () => {
    const r = await run('in/crlf.csv', lines(n).join('\r\n') + '\r\n');
    expect(r.events[0]).toBe('counts');
    expect(r.ids).toEqual(expectedIds);
    expect(r.rejected.map((x) => x.line)).toEqual(expectedLines);
  });

  it('stops reading when the caller breaks out after the first batch, and can read the file again', async () => {
    await t.backend.objects.put('uploads', 'in/b.csv', lines(n).join('\n') + '\n');
    let taken = 0;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/b.csv' }, schema, rejected: { bucket: 'uploads', key: 'b.rej' }, batchSize: 100 })) {
      taken += batch.length;
      break;
    }
    expect(taken).toBe(100);
    const again = await run('in/b.csv', lines(n).join('\n') + '\n');
    expect(again.ids).toEqual(expectedIds);
  });
});

describe('csvJsonBatches', () => {
  // Every kind the schema compiles to, with the values whose JSON text DuckDB and JavaScript write
  // differently: whole and huge doubles, -0, microseconds (node-api truncates them to milliseconds),
  // a timestamp before 1970 with a fraction, a year under 1000 or outside 0000-9999, dates, text
  // JSON escapes (U+2028/2029, non-BMP), nulls.
  const kinds = z.object({
    id: z.int(),
    amount: z.number(),
    at: z.iso.datetime({ offset: true, local: true }),
    day: z.iso.date(),
    ok: z.boolean(),
    tier: z.enum(['a', 'b']),
    note: z.string().optional(),
    count: z.coerce.number().int().optional(),
  });
  const rows = [
    'id,amount,at,day,ok,tier,note,count',
    '1,100,2021-07-16T12:34:56.789123Z,2021-07-16,true,a,"say ""hi"" \\ / é\u2028",7',
    '2,-0,1969-12-31T23:59:59.9995Z,0999-01-02,false,b,,',
    '3,1e21,0999-01-02T03:04:05.678901Z,1970-01-01,true,a,tab\there,-9007199254740991',
    '4,0.1,2021-07-16T12:34:56+03:00,2024-02-29,false,b,x,9007199254740991',
    '5,1.5e-7,2021-07-16T12:34:56,2021-12-31,true,a,"",0',
    // Offsets that move the instant out of 0000-9999: toISOString writes -000001 and +010000.
    '6,0.30000000000000004,0000-01-01T00:30:00+01:00,0000-02-29,false,b,\u{1F600}\u2029,1',
    '7,123456789.12345679,9999-12-31T23:59:59.999-01:00,9999-12-31,true,a,y,2',
  ];

  it('gives each row as the JSON text of the row csvBatches gives, as JSON.stringify writes it', async () => {
    await t.backend.objects.put('uploads', 'in/kinds.csv', rows.join('\n') + '\n');
    const source = { bucket: 'uploads', key: 'in/kinds.csv' };
    const objects: Array<Record<string, unknown>> = [];
    for await (const b of csvBatches(t.backend.objects, { source, schema: kinds, rejected: { bucket: 'uploads', key: 'k1.rej' }, batchSize: 2 })) objects.push(...b);
    const texts: string[] = [];
    let counts: CsvCounts | undefined;
    for await (const b of csvJsonBatches(t.backend.objects, { source, schema: kinds, rejected: { bucket: 'uploads', key: 'k2.rej' }, batchSize: 2, onCounts: (c) => (counts = c) })) texts.push(...b);
    expect(objects).toHaveLength(rows.length - 1);
    expect(counts).toMatchObject({ valid: rows.length - 1, rejected: 0 });
    const parsed = texts.map((x) => JSON.parse(x) as Record<string, unknown>);
    expect(parsed).toEqual(objects.map((o) => JSON.parse(JSON.stringify(o)) as unknown));
    expect(parsed[1]).toMatchObject({ amount: 0, at: '1970-01-01T00:00:00.000Z', day: '0999-01-02T00:00:00.000Z', note: null, count: null });
    expect(parsed.slice(5).map((p) => p['at'])).toEqual(['-000001-12-31T23:30:00.000Z', '+010000-01-01T00:59:59.999Z']);
  });

  it('hands out the rows of a file kept in a table (CRLF) the same way', async () => {
    await t.backend.objects.put('uploads', 'in/kinds-crlf.csv', rows.join('\r\n') + '\r\n');
    const texts: string[] = [];
    for await (const b of csvJsonBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/kinds-crlf.csv' }, schema: kinds, rejected: { bucket: 'uploads', key: 'k3.rej' } })) texts.push(...b);
    expect(texts.map((x) => (JSON.parse(x) as { id: number }).id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('a header whose names look like the check\'s own columns', () => {
  // Every layer of the check passes the reader's columns through, so a header named like one of its
  // own columns (_c1, _x2, _pre, _keep, __n1 ...) once took that column's place: "_c1" gave every row
  // the wrong value with no error, "_f1" failed the read. Our names now start with more underscores
  // than any header name does.
  it('reads the values of those columns, and rejects a bad row with its own text', async () => {
    const named = z.object({ _c1: z.string(), _x1: z.int(), _pre: z.string(), _keep: z.number(), __n1: z.string(), _f1: z.string() });
    const body = ['_c1,_x1,_pre,_keep,__n1,_f1', 'hello,1,a,1.5,n,f', 'world,2,b,oops,m,g', 'again,3,c,2.5,o,h'].join('\n') + '\n';
    await t.backend.objects.put('uploads', 'in/ours.csv', body);
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/ours.csv' }, schema: named, rejected: { bucket: 'uploads', key: 'ours.rej' }, batchSize: 10 })) rows.push(...batch);
    expect(rows).toEqual([
      { _c1: 'hello', _x1: 1, _pre: 'a', _keep: 1.5, __n1: 'n', _f1: 'f' },
      { _c1: 'again', _x1: 3, _pre: 'c', _keep: 2.5, __n1: 'o', _f1: 'h' },
    ]);
    const rejected = (await t.backend.objects.get('uploads', 'ours.rej')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[]; raw: string });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ line: 3, reasons: ['_keep: expected a number, got "oops"'] });
    expect(JSON.parse(rejected[0]!.raw)).toMatchObject({ _c1: 'world', _keep: 'oops' });
  });
});

describe('a header column named ordinality', () => {
  // The numbering scan reads the file WITH ORDINALITY, whose column is named ordinality: a header
  // column of that name took its place, so the rejected rows' line numbers were that column's text
  // (here "x", which failed the read). The scan now names its ordinal column itself.
  it('numbers the rejected rows by their lines, not by that column', async () => {
    const named = z.object({ id: z.int(), ordinality: z.string() });
    const body = ['id,ordinality', '1,900', 'bad,901', '3,x', 'no,902'].join('\n') + '\n';
    await t.backend.objects.put('uploads', 'in/ord.csv', body);
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/ord.csv' }, schema: named, rejected: { bucket: 'uploads', key: 'ord.rej' }, batchSize: 10 })) rows.push(...batch);
    expect(rows).toEqual([
      { id: 1, ordinality: '900' },
      { id: 3, ordinality: 'x' },
    ]);
    const rejected = (await t.backend.objects.get('uploads', 'ord.rej')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[]; raw: string });
    expect(rejected.map((r) => r.line)).toEqual([3, 5]);
    expect(rejected.map((r) => (JSON.parse(r.raw) as { ordinality: string }).ordinality)).toEqual(['901', '902']);
  });
});
