import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { standardize } from '../../src/data/standardize/index.ts';
import { validateRecord } from '../../src/data/standardize/record.ts';
import { compileSchema } from '../../src/data/standardize/schema.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { sql } from './sql.ts';

const schema = z.object({
  id: z.int(),
  user: z.string(),
  amount: z.number(),
  ok: z.boolean().optional(),
  at: z.iso.datetime(),
  kind: z.enum(['view', 'click', 'buy']),
  note: z.string().nullable(),
});

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
});
afterEach(async () => t.close());

function line(i: number): string {
  return JSON.stringify({ id: i, user: `u${i % 10}`, amount: i * 0.5, ok: i % 2 === 0, at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), kind: 'click', note: null });
}

describe('standardize', () => {
  it('compiles the schema to typed columns', () => {
    expect(compileSchema(schema).map((c) => `${c.name}:${c.sqlType}${c.optional ? '?' : ''}`)).toEqual(['id:BIGINT', 'user:VARCHAR', 'amount:DOUBLE', 'ok:BOOLEAN?', 'at:TIMESTAMP', 'kind:VARCHAR', 'note:VARCHAR?']);
    expect(() => compileSchema(z.object({ tags: z.array(z.string()) }))).toThrow(/field "tags" has zod type "array"/);
  });

  it('refuses what the bulk path could not check exactly as zod does (issue 11)', () => {
    expect(() => compileSchema(z.object({ n: z.number().min(0) }))).toThrow(/field "n" uses the check "greater_than"/);
    expect(() => compileSchema(z.object({ s: z.string().regex(/a/) }))).toThrow(/field "s" uses the check "string_format"/);
    expect(() => compileSchema(z.object({ e: z.email() }))).toThrow(/field "e" uses the string format "email"/);
    expect(() => compileSchema(z.object({ d: z.date() }))).toThrow(/field "d" uses z.date\(\)/);
    expect(() => compileSchema(z.object({ s: z.coerce.string() }))).toThrow(/field "s" uses z.coerce.string\(\)/);
    expect(compileSchema(z.object({ a: z.int32().nullish(), b: z.coerce.number().int().default(3), c: z.string().nullable() }))).toMatchObject([
      { name: 'a', kind: 'int', optional: true, missing: 'null', null: 'null', min: -2147483648, max: 2147483647 },
      { name: 'b', kind: 'int', optional: true, missing: 'default', default: 3, coerce: true },
      { name: 'c', kind: 'string', optional: true, null: 'null' },
    ]);
  });

  it('writes valid rows to Parquet and rejects with reasons and line numbers (gzip input)', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => line(i));
    lines[10] = '{"id": 10, "user": "u0", broken';
    lines[20] = JSON.stringify({ id: 'twenty', user: 'u', amount: 'lots', at: 'yesterday', kind: 'jump', note: null });
    lines[30] = '';
    lines[40] = '[1,2,3]';
    lines[50] = JSON.stringify({ user: 'u', amount: 1, at: '2026-01-01T00:00:00Z', kind: 'buy' });
    lines[60] = `{"id": 60, "user": "a\u0000b"}`;
    await t.backend.objects.put('lake', 'raw/a.jsonl.gz', gzipSync(lines.join('\n') + '\n'));
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/a.jsonl.gz' }, schema, output: { bucket: 'lake', key: 'std/a.parquet' }, rejected: { bucket: 'lake', key: 'rejected/a.jsonl' } });
    expect(r).toMatchObject({ read: 999, valid: 994, rejected: 5 });
    const parquet = t.backend.objects.localPath!('lake', 'std/a.parquet')!;
    const valid = await sql(`SELECT count(*) AS n, sum(id) AS s, typeof(any_value("at")) AS t, typeof(any_value(id)) AS ti FROM read_parquet('${parquet}')`);
    const expectedSum = Array.from({ length: 1000 }, (_, i) => i).filter((i) => ![10, 20, 30, 40, 50, 60].includes(i)).reduce((a, b) => a + b, 0);
    expect(valid[0]).toEqual({ n: 994, s: expectedSum, t: 'TIMESTAMP', ti: 'BIGINT' });
    const rejected = (await t.backend.objects.get('lake', 'rejected/a.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[]; raw: string });
    expect(rejected.map((x) => x.line)).toEqual([11, 21, 41, 51, 61]);
    expect(rejected[0]!.reasons).toEqual(['malformed JSON: the line does not parse']);
    expect(rejected[1]!.reasons).toEqual([
      'id: expected a whole number, got "twenty"',
      'amount: expected a number, got "lots"',
      'at: expected an ISO timestamp, got "yesterday"',
      'kind: expected one of "view", "click", "buy", got "jump"',
    ]);
    expect(rejected[2]!.reasons).toEqual(['not a JSON object']);
    // note is .nullable(): null is allowed, missing is not (as zod).
    expect(rejected[3]!.reasons).toEqual(['id: required, but missing or null', 'note: required, but missing']);
    expect(rejected[4]!.reasons[0]).toMatch(/^unreadable line: /);
  });

  it('stores timestamps as UTC, offsets applied (a schema that takes offsets: z.iso.datetime({ offset: true }))', async () => {
    const rows = ['2026-01-01T00:00:00Z', '2026-01-01T02:00:00+02:00', '2025-12-31T19:00:00.000-05:00'].map((at, i) => JSON.stringify({ id: i, user: 'u', amount: 1, at, kind: 'buy', note: 'x' }));
    await t.backend.objects.put('lake', 'raw/tz.jsonl', rows.join('\n'));
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/tz.jsonl' }, schema: schema.extend({ at: z.iso.datetime({ offset: true }) }), output: { bucket: 'lake', key: 'std/tz.parquet' }, rejected: { bucket: 'lake', key: 'rejected/tz.jsonl' } });
    expect(r).toMatchObject({ read: 3, valid: 3, rejected: 0 });
    const got = await sql(`SELECT DISTINCT "at"::VARCHAR AS at FROM read_parquet('${t.backend.objects.localPath!('lake', 'std/tz.parquet')}')`);
    expect(got).toEqual([{ at: '2026-01-01 00:00:00' }]);
  });

  it('validates one record at the ingestion edge', () => {
    expect(validateRecord(schema, JSON.parse(line(1)))).toMatchObject({ ok: true });
    expect(validateRecord(schema, { id: 1.5, user: 'u' })).toMatchObject({ ok: false, reasons: expect.arrayContaining([expect.stringMatching(/^id: /), expect.stringMatching(/^amount: /)]) });
  });
});

describe('standardize at scale (a parallel scan)', () => {
  it('numbers rejected lines exactly: repeated bad lines, a blank line, a line the reader refuses; valid rows keep file order', async () => {
    const n = 300_000;
    const lines: string[] = [];
    const rejectedLines: number[] = [];
    const dup = JSON.stringify({ id: 1, user: 'dup', amount: 'x', at: '2026-01-01T00:00:00Z', kind: 'buy', note: null });
    for (let i = 1; i <= n; i++) {
      if (i === 123_457) lines.push('');
      else if (i === 200_003) lines.push(`{"id": ${i}, "user": "a\u0000b"}`);
      else if (i % 50_000 === 1) lines.push(dup);
      else if (i % 10_007 === 0) lines.push(JSON.stringify({ id: i, user: 'u', amount: 'n/a', at: '2026-01-01T00:00:00Z', kind: 'buy', note: null }));
      else lines.push(line(i));
      if (i === 200_003 || i % 50_000 === 1 || (i % 10_007 === 0 && i !== 123_457)) rejectedLines.push(i);
    }
    await t.backend.objects.put('lake', 'raw/big.jsonl', lines.join('\n') + '\n');
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/big.jsonl' }, schema, output: { bucket: 'lake', key: 'std/big.parquet' }, rejected: { bucket: 'lake', key: 'rejected/big.jsonl' } });
    expect(r).toMatchObject({ read: n - 1, valid: n - 1 - rejectedLines.length, rejected: rejectedLines.length });
    const rejected = (await t.backend.objects.get('lake', 'rejected/big.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[]; raw: string });
    expect(rejected.map((x) => x.line)).toEqual(rejectedLines);
    expect(rejected.find((x) => x.line === 50_001)).toEqual({ line: 50_001, reasons: ['amount: expected a number, got "x"'], raw: dup });
    expect(rejected.find((x) => x.line === 200_003)!.reasons[0]).toMatch(/^unreadable line: /);
    const parquet = t.backend.objects.localPath!('lake', 'std/big.parquet')!;
    // In file order: ids rise with the row number.
    expect(await sql(`SELECT count(*) AS n, count(*) FILTER (WHERE d <= 0) AS disorder FROM (SELECT id - lag(id) OVER (ORDER BY file_row_number) AS d FROM read_parquet('${parquet}', file_row_number=true))`)).toEqual([{ n: n - 1 - rejectedLines.length, disorder: 0 }]);
  });

  it('takes fields by their JSON type as zod does, tells malformed lines from non-objects, and takes schemas whose names differ only in case', async () => {
    const s = z.object({ id: z.int(), user: z.string() });
    // '{"id": 3, "id": 4}': DuckDB keeps the first of two equal names, JSON.parse the last (a known difference; names should be unique).
    const lines = ['{"id": 1, "user": {"a": [1, 2]}}', 'null', '5', '{"id": 2, "user": "x"} trailing', '{"id": 3, "id": 4, "user": "y"}', ' {"id": "5", "user": true}', '{"ID": 6, "user": "z"}', '{"id": 8.0, "user": "\\u00e9\\"q"}'];
    await t.backend.objects.put('lake', 'raw/j.jsonl', lines.join('\n'));
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/j.jsonl' }, schema: s, output: { bucket: 'lake', key: 'std/j.parquet' }, rejected: { bucket: 'lake', key: 'rejected/j.jsonl' } });
    expect(r).toMatchObject({ read: 8, valid: 2, rejected: 6 });
    expect(await sql(`SELECT id, "user" FROM read_parquet('${t.backend.objects.localPath!('lake', 'std/j.parquet')!}')`)).toEqual([
      { id: 3, user: 'y' },
      { id: 8, user: 'é"q' },
    ]);
    const rejected = (await t.backend.objects.get('lake', 'rejected/j.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
    expect(rejected).toEqual([
      { line: 1, reasons: ['user: expected a string, got {"a":[1,2]}'], raw: lines[0] },
      { line: 2, reasons: ['not a JSON object'], raw: 'null' },
      { line: 3, reasons: ['not a JSON object'], raw: '5' },
      { line: 4, reasons: ['malformed JSON: the line does not parse'], raw: lines[3] },
      { line: 6, reasons: ['id: expected a whole number, got "5"', 'user: expected a string, got true'], raw: lines[5] },
      { line: 7, reasons: ['id: required, but missing or null'], raw: lines[6] },
    ]);
    const cased = z.object({ id: z.int(), ID: z.int().optional() });
    await t.backend.objects.put('lake', 'raw/c.jsonl', '{"id": 1, "ID": 2}\n{"id": 3}\n');
    const c = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/c.jsonl' }, schema: cased, output: { bucket: 'lake', key: 'std/c.parquet' }, rejected: { bucket: 'lake', key: 'rejected/c.jsonl' } });
    expect(c).toMatchObject({ read: 2, valid: 2, rejected: 0 });
    expect(await sql(`SELECT sum(COLUMNS(*)) FROM read_parquet('${t.backend.objects.localPath!('lake', 'std/c.parquet')!}')`)).toEqual([{ id: 4, ID_1: 2 }]);
  });

  it('reports lines too long to read, however long, and reads one just under the limit', async () => {
    const long = (n: number) => JSON.stringify({ id: 1, user: 'x'.repeat(n), amount: 1, at: '2026-01-01T00:00:00Z', kind: 'buy', note: null });
    const lines = [line(1), long(1_900_000), long(3_000_000), line(4), long(5_000_000), JSON.stringify({ id: 6, user: 'u', amount: 'x', at: '2026-01-01T00:00:00Z', kind: 'buy', note: null }), line(7)];
    await t.backend.objects.put('lake', 'raw/long.jsonl', lines.join('\n') + '\n');
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/long.jsonl' }, schema, output: { bucket: 'lake', key: 'std/long.parquet' }, rejected: { bucket: 'lake', key: 'rejected/long.jsonl' } });
    expect(r).toMatchObject({ read: 7, valid: 4, rejected: 3 });
    const rejected = (await t.backend.objects.get('lake', 'rejected/long.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
    expect(rejected.map((x) => x.line)).toEqual([3, 5, 6]);
    expect(rejected[0]!.reasons[0]).toMatch(/^unreadable line: /);
    expect(rejected[1]!.reasons[0]).toMatch(/^unreadable line: /);
    expect(rejected[2]!.reasons).toEqual(['amount: expected a number, got "x"']);
  });

  it('accepts a record without an optional enum field', async () => {
    const opt = z.object({ id: z.int(), kind: z.enum(['a', 'b']).optional() });
    await t.backend.objects.put('lake', 'raw/o.jsonl', '{"id":1}\n{"id":2,"kind":"a"}\n{"id":3,"kind":"c"}\n');
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key: 'raw/o.jsonl' }, schema: opt, output: { bucket: 'lake', key: 'std/o.parquet' }, rejected: { bucket: 'lake', key: 'rejected/o.jsonl' } });
    expect(r).toMatchObject({ read: 3, valid: 2, rejected: 1 });
  });
});

describe('standardize with line breaks DuckDB cannot take', () => {
  const small = z.object({ id: z.int(), amount: z.number() });
  /** Standardizes `body`; returns the counts, the valid ids in file order and the rejected lines with their first reason. */
  async function run(body: string | Buffer, key = 'raw/m.jsonl') {
    await t.backend.objects.put('lake', key, body);
    const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key }, schema: small, output: { bucket: 'lake', key: 'std/m.parquet' }, rejected: { bucket: 'lake', key: 'rejected/m.jsonl' } });
    const ids = (await sql(`SELECT id FROM read_parquet('${t.backend.objects.localPath!('lake', 'std/m.parquet')!}', file_row_number=true) ORDER BY file_row_number`)).map((x) => x['id'] as number);
    const rejected = r.rejected === 0 ? [] : (await t.backend.objects.get('lake', 'rejected/m.jsonl')).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
    return { counts: { read: r.read, valid: r.valid, rejected: r.rejected }, ids, rejected: rejected.map((x) => [x.line, x.reasons[0]]) };
  }
  const bad = [3, 'amount: expected a number, got "x"'];

  it('reads lines ending both in \\r\\n and in \\n, either first, gzip or not', async () => {
    const lines = ['{"id":1,"amount":1}', '{"id":2,"amount":2}', '{"id":3,"amount":"x"}', '{"id":4,"amount":4}'];
    for (const body of [lines.map((l, i) => l + (i % 2 ? '\n' : '\r\n')).join(''), lines.map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join('')]) {
      for (const [input, key] of [[body, 'raw/m.jsonl'], [gzipSync(body), 'raw/m.jsonl.gz']] as const) {
        expect(await run(input, key)).toEqual({ counts: { read: 4, valid: 3, rejected: 1 }, ids: [1, 2, 4], rejected: [bad] });
      }
    }
  });

  it('counts a lone \\r as a line break, as DuckDB does, in a file read in parallel', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `{"id":${i + 1},"amount":${i}}`);
    lines[2] = '{"id":3,"amount":"x"}';
    lines[50_000] = '{"id":50001,"amount":1,"s":"a\rb"}';
    const r = await run(lines.join('\n') + '\n');
    expect(r.counts).toEqual({ read: 100_001, valid: 99_998, rejected: 3 });
    expect(r.ids).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 1).filter((i) => i !== 3 && i !== 50_001));
    expect(r.rejected).toEqual([bad, [50_001, 'malformed JSON: the line does not parse'], [50_002, 'malformed JSON: the line does not parse']]);
  });
});
