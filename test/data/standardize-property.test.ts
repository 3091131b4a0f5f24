/**
 * Issue 11, "no value silently changed": standardize's bulk path (the schema compiled to DuckDB
 * SQL) and the same schema's safeParse agree on every record's verdict and on every stored value.
 * Records are generated as JSON lines (numbers written as 7.0, 1e3, -0 or 1e400, strings that look
 * like numbers, booleans, nested objects, nulls, missing fields, timestamps in several shapes) and
 * go through both: the bulk path reads the lines, zod gets JSON.parse of the same lines.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { standardize } from '../../src/data/standardize/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { withDuck } from '../../src/data/duck.ts';

let t: TestBackend;
beforeAll(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
});
afterAll(async () => t.close());

const strict = z.object({
  k: z.int(),
  s: z.string(),
  n: z.number(),
  i: z.int(),
  b: z.boolean(),
  t: z.iso.datetime(),
  d: z.iso.date().optional(),
  o: z.string().nullable(),
  e: z.enum(['a', 'b']).nullish(),
  df: z.number().default(2.5),
});

const coerced = z.object({
  k: z.int(),
  cn: z.coerce.number(),
  ci: z.coerce.number().int(),
  co: z.coerce.number().optional(),
  t: z.iso.datetime({ offset: true }),
});

const two = (n: number) => String(n).padStart(2, '0');

/** Timestamps and dates in several shapes, most of them valid for some schema. */
const timestamp = fc
  .record({
    y: fc.integer({ min: 1001, max: 9998 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 31 }),
    h: fc.integer({ min: 0, max: 24 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 60 }),
    frac: fc.constantFrom('', '.', '.1', '.123', '.123456', '.1234567', '.999999999'),
    tz: fc.constantFrom('Z', 'Z', 'z', '', '+02:00', '-05:30', '+24:00', '+0200'),
    sep: fc.constantFrom('T', 'T', 'T', ' ', 't'),
    shape: fc.constantFrom('full', 'full', 'full', 'date', 'noSeconds'),
  })
  .map(({ y, mo, d, h, mi, s, frac, tz, sep, shape }) => {
    const date = `${y}-${two(mo)}-${two(d)}`;
    if (shape === 'date') return date;
    if (shape === 'noSeconds') return `${date}${sep}${two(h)}:${two(mi)}${tz}`;
    return `${date}${sep}${two(h)}:${two(mi)}:${two(s)}${frac}${tz}`;
  });

const numberLike = fc.constantFrom('6.5', 'NaN', 'Infinity', '-Infinity', '0x10', '0X1f', '-0x10', '0b101', '0o7', '1_000', '+5', '1e3', ' 5 ', '\u00a05\u3000', '\n7\t', '', '  ', '5.', '.5', '+.5', '.', '-', '1e400', '00012', '7.0', '1e', 'true', '0xFFFFFFFFFFFFFFFF', '9007199254740993');

/** JSON text of one field: numbers also in forms JSON.stringify never writes. */
const jsonNumberText = fc.constantFrom('7.0', '1e3', '1E3', '-0', '-0.0', '1e400', '-1e400', '1.5e2', '100e-2', '9007199254740993', '9007199254740991', '-9007199254740992', '1e-400', '0.1', '123456789012345678901234');
const scalar = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  numberLike,
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  timestamp,
  fc.constantFrom('a', 'b', 'c', 'A'),
);
const nested = fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 3 });
/** A field's JSON text; arrays only where `arrays` (a coerced number would take [5] as 5: not followed, see json-sql.ts). */
const fieldText = (arrays: boolean) => fc.oneof({ weight: 6, arbitrary: scalar.map((v) => JSON.stringify(v)) }, { weight: 2, arbitrary: jsonNumberText }, { weight: 1, arbitrary: nested.map((v) => JSON.stringify(v)) }, { weight: arrays ? 1 : 0, arbitrary: fc.array(scalar, { maxLength: 2 }).map((v) => JSON.stringify(v)) });

/** Per field, JSON texts that are mostly valid for it, so that whole records pass and their stored values are compared. */
const finiteNumberText = fc.constantFrom('7.0', '1e3', '1E3', '-0', '-0.0', '1.5e2', '100e-2', '9007199254740993', '1e-400', '0.1', '123456789012345678901234');
const isoZ = fc.date({ min: new Date('1001-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const likely: Record<string, fc.Arbitrary<string>> = {
  s: fc.string({ unit: 'grapheme', maxLength: 8 }).map((v) => JSON.stringify(v)),
  n: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), finiteNumberText),
  i: fc.oneof(fc.integer().map(String), fc.constantFrom('7.0', '1e3', '-0', '1E2', '9007199254740991')),
  b: fc.constantFrom('true', 'false'),
  t: fc.oneof({ weight: 3, arbitrary: isoZ.map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: timestamp.map((v) => JSON.stringify(v)) }),
  d: fc.oneof({ weight: 3, arbitrary: isoZ.map((v) => JSON.stringify(v.slice(0, 10))) }, { weight: 1, arbitrary: timestamp.map((v) => JSON.stringify(v.slice(0, 10))) }),
  o: fc.oneof(fc.constant('null'), fc.string({ maxLength: 4 }).map((v) => JSON.stringify(v))),
  e: fc.constantFrom('"a"', '"b"', 'null'),
  df: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), finiteNumberText),
  cn: fc.oneof(numberLike.map((v) => JSON.stringify(v)), fc.constantFrom('true', 'false', 'null'), jsonNumberText),
  ci: fc.oneof(numberLike.map((v) => JSON.stringify(v)), fc.integer().map((v) => JSON.stringify(String(v))), fc.constantFrom('true', 'null', '7.0', '1e3')),
  co: fc.oneof(numberLike.map((v) => JSON.stringify(v)), fc.constantFrom('null', '12')),
};

/** Lines of records: each field missing, likely valid, or anything; `k` numbers the records. */
function linesOf(fields: readonly string[], arrays: boolean) {
  const field = (name: string) => fc.oneof({ weight: 12, arbitrary: likely[name]! }, { weight: 1, arbitrary: fieldText(arrays) });
  const record = fc.tuple(...fields.map((name) => fc.option(field(name), { freq: 12, nil: undefined })));
  return fc.array(record, { minLength: 1, maxLength: 30 }).map((rows) => rows.map((values, k) => `{"k": ${k}${values.map((v, i) => (v === undefined ? '' : `, ${JSON.stringify(fields[i])}: ${v}`)).join('')}}`));
}

/** What the Parquet holds for a timestamp zod accepted: the instant in microseconds (DuckDB keeps 6 fraction digits). */
function expectedMicros(text: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):(\d\d))$/.exec(text)!;
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  const offsetMin = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  const micros = BigInt(date.getTime() - offsetMin * 60_000) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  return micros.toString();
}

let file = 0;
/** Both paths over the same lines: the bulk path's rows by k, and zod's verdict and output by k. */
async function bothPaths(schema: z.ZodObject, lines: string[]) {
  const key = `raw/p${file++}.jsonl`;
  await t.backend.objects.put('lake', key, lines.join('\n') + '\n');
  const out = { bucket: 'lake', key: `${key}.parquet` };
  const r = await standardize(t.backend.objects, { source: { bucket: 'lake', key }, schema, output: out, rejected: { bucket: 'lake', key: `${key}.rejected` } });
  const cols = Object.entries(schema.shape).map(([name, f]) => {
    const kind = JSON.stringify((f as z.ZodType).def);
    // Whole numbers as DOUBLE: exact in the safe range (zod's int), and read back as JS numbers.
    if (kind.includes('"safeint"')) return `"${name}"::DOUBLE AS "${name}"`;
    return kind.includes('"datetime"') ? `'us' || epoch_us("${name}") AS "${name}"` : kind.includes('"date"') && !kind.includes('datetime') ? `"${name}"::VARCHAR AS "${name}"` : `"${name}"`;
  });
  const rows = await withDuck(async (conn) => (await conn.runAndReadAll(`SELECT ${cols.join(', ')} FROM read_parquet('${t.backend.objects.localPath!('lake', out.key)!}')`)).getRowObjectsJson());
  const bulk = new Map(rows.map((row) => [Number(row['k']), row]));
  const parsed = lines.map((l) => schema.safeParse(JSON.parse(l)));
  return { r, bulk, parsed };
}

/** The zod output as the Parquet row shows it: missing as null, timestamps as microseconds, -0 as 0. */
function asStored(schema: z.ZodObject, data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(schema.shape).map((name) => {
      const v = data[name];
      const kind = JSON.stringify((schema.shape[name] as z.ZodType).def);
      if (v === undefined || v === null) return [name, null];
      if (typeof v === 'string' && kind.includes('"datetime"')) return [name, `us${expectedMicros(v)}`];
      if (typeof v === 'number' && Object.is(v, -0)) return [name, 0];
      return [name, v];
    }),
  );
}

/** Records zod accepted, over all runs: the stored values were compared for each of them. */
const accepted = new Map<z.ZodObject, number>();

async function agree(schema: z.ZodObject, lines: string[]): Promise<void> {
  const { r, bulk, parsed } = await bothPaths(schema, lines);
  accepted.set(schema, (accepted.get(schema) ?? 0) + parsed.filter((p) => p.success).length);
  if (process.env.PROPERTY_STATS) console.log(`${parsed.filter((p) => p.success).length}/${parsed.length} accepted`);
  parsed.forEach((p, k) => {
    const where = `line ${k + 1}: ${lines[k]}`;
    expect(bulk.has(k), `${where}: the bulk path ${bulk.has(k) ? 'accepted' : 'rejected'} it, zod ${p.success ? 'accepts' : 'rejects'} it${p.success ? '' : ` (${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`}`).toBe(p.success);
    // Zero's sign is not compared: DuckDB's JSON reader makes the literal -0 an integer 0 (JSON.parse: -0).
    const row = Object.fromEntries(Object.entries(bulk.get(k) ?? {}).map(([name, v]) => [name, Object.is(v, -0) ? 0 : v]));
    if (p.success) expect(row, where).toEqual(asStored(schema, p.data as Record<string, unknown>));
  });
  expect(r.valid).toBe(parsed.filter((p) => p.success).length);
}

describe('standardize: the bulk path agrees with safeParse', () => {
  it('on strict fields (string, number, int, boolean, timestamp, date, nullable, nullish enum, default)', async () => {
    await fc.assert(fc.asyncProperty(linesOf(['s', 'n', 'i', 'b', 't', 'd', 'o', 'e', 'df'], true), (lines) => agree(strict, lines)), { numRuns: 40 });
    // Not vacuous: enough generated records are valid for stored values to be compared. Runs are
    // unseeded, so the count varies (39 to ~100 seen); 10 still fails a generator that makes none.
    expect(accepted.get(strict)).toBeGreaterThan(10);
  });

  it('on coerced fields (z.coerce.number(), with .int(), optional) and timestamps with offsets', async () => {
    await fc.assert(fc.asyncProperty(linesOf(['cn', 'ci', 'co', 't'], false), (lines) => agree(coerced, lines)), { numRuns: 40 });
    expect(accepted.get(coerced)).toBeGreaterThan(10);
  });

  it('on the cases the issue lists', async () => {
    const lines = [
      { s: 1776 }, { s: true }, { s: { a: 1 } }, { n: '6.5' }, { n: 'NaN' }, { n: 'Infinity' },
      { i: '0x10' }, { i: '1_000' }, { i: '+5' }, { i: '1e3' },
    ].map((fields, k) => JSON.stringify({ k, s: 'x', n: 1, i: 1, b: true, t: '2026-01-01T00:00:00Z', o: null, ...fields }));
    lines.push('{"k": 10, "s": "x", "n": 1, "i": 7.0, "b": true, "t": "2026-01-01T00:00:00Z", "o": null}', '{"k": 11, "s": "x", "n": 1, "i": 1e3, "b": true, "t": "2026-01-01T00:00:00Z", "o": null}');
    await agree(strict, lines);
    const { bulk } = await bothPaths(strict, lines);
    expect([...bulk.keys()]).toEqual([10, 11]);
    expect([bulk.get(10)!['i'], bulk.get(11)!['i']]).toEqual([7, 1000]);
  });
});
