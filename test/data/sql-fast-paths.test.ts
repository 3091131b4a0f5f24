/**
 * The bulk path's shortcuts (issue 15) agree with the full checks they stand in for, on generated
 * text: a whole number written plainly (canonicalInt), a date of the shape YYYY-MM-DD
 * (dateSql), a timestamp of toISOString's shape (timestampSql), and the test for control characters that decides which rows are stripped
 * (hasStripped: it may say yes wrongly, never no).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regexes, z } from 'zod';
import { withDuck } from '../../src/data/duck.ts';
import { canonicalInt, dateSql, timestampSql } from '../../src/data/standardize/sql.ts';
import { hasStripped } from '../../src/data/standardize/stage.ts';
import { fieldCleaning } from '../../src/data/csv/clean.ts';

/**
 * Evaluates `exprs` for each text; returns one row of results per text. Over column v and its casts
 * computed beside it (n_int, n_date, n_ts: TRY_CAST to BIGINT, DATE, TIMESTAMP), as checkedSql's
 * layer l0 hands a `cast` column to canonicalInt, dateSql and timestampSql.
 */
async function evaluate(texts: readonly string[], exprs: readonly string[]): Promise<unknown[][]> {
  return withDuck(async (c) => {
    await c.run('CREATE TABLE t (i INTEGER, v VARCHAR)');
    const a = await c.createAppender('t');
    texts.forEach((text, i) => {
      a.appendInteger(i);
      a.appendVarchar(text);
      a.endRow();
    });
    a.closeSync();
    const casts = 'TRY_CAST(v AS BIGINT) AS n_int, TRY_CAST(v AS DATE) AS n_date, TRY_CAST(v AS TIMESTAMP) AS n_ts';
    const r = await c.runAndReadAll(`SELECT ${exprs.map((e) => `(${e})::VARCHAR`).join(', ')} FROM (SELECT *, ${casts} FROM t) ORDER BY i`);
    return r.getRows();
  });
}

const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
const noise = fc.constantFrom('', ' ', '+', '-', '0', '00', '_', '.', '.0', 'e3', 'E2', 'x', '0x', 'b', '0b', '\t', '٣', '１');

describe('the bulk path shortcuts agree with the full checks', () => {
  it('a whole number written plainly: canonicalInt gives what the full check gives', async () => {
    const range = (v: string) => `CASE WHEN ${v} BETWEEN ${Number.MIN_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER} THEN ${v} END`;
    const checked = range(`CASE WHEN NOT (contains(v, '.') OR contains(v, '_') OR contains(v, 'x') OR contains(v, 'X') OR contains(v, 'b') OR contains(v, 'B')) THEN TRY_CAST(v AS BIGINT) END`);
    const text = fc.oneof(
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
      fc.integer().map(String),
      fc.tuple(noise, fc.integer({ min: 0, max: 99999 }).map(String), noise).map((p) => p.join('')),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 200 }), async (texts) => {
        const rows = await evaluate(texts, [canonicalInt('v', range, checked), checked, canonicalInt('v', range, checked, 'n_int')]);
        for (const [fast, full, withCast] of rows) {
          expect(fast).toBe(full);
          expect(withCast).toBe(full);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('a date: dateSql takes exactly what zod.iso.date() takes, as the date the full check gives', async () => {
    const exact = `CASE WHEN regexp_full_match(v, ${`'${regexes.date.source}'`}) THEN TRY_CAST(v AS DATE) END`;
    const date = fc.tuple(digits(4), fc.constantFrom('-', '/', '--'), digits(2), fc.constantFrom('-', '-', ' '), digits(2)).map((p) => p.join(''));
    // Ten characters that DuckDB's cast still takes as a date (' 026-01-01' is year 26) must not pass the shape.
    const oneOff = fc.tuple(date, fc.integer({ min: 0, max: 9 }), fc.constantFrom(' ', '-', '+', 'x', '٣')).map(([d, i, c]) => d.slice(0, i) + c + d.slice(i + 1));
    const text = fc.oneof(date, oneOff, fc.tuple(noise, date, noise).map((p) => p.join('')), fc.string({ maxLength: 10 }), fc.constantFrom('0000-02-29', '1900-02-29', '2000-02-29', '2024-02-29', '2026-02-29', '0400-02-29', ' 026-01-01', '-026-01-01', '2026-01-1 ', ' 2026-1-1'));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 200 }), async (texts) => {
        const rows = await evaluate(texts, [dateSql(regexes.date.source, 'v'), exact, dateSql(regexes.date.source, 'v', 'n_date')]);
        rows.forEach(([fast, full, withCast], i) => {
          expect(fast).toBe(full);
          expect(withCast).toBe(full);
          expect(fast !== null).toBe(regexes.date.test(texts[i]!));
        });
      }),
      { numRuns: 30 },
    );
  });

  it('a timestamp: timestampSql takes exactly what z.iso.datetime() takes, as the timestamp the full check gives', async () => {
    const pattern = regexes.datetime({}).source;
    const exact = `CASE WHEN regexp_full_match(v, '${pattern}') THEN CASE WHEN ends_with(v, 'Z') THEN TRY_CAST(v AS TIMESTAMP) ELSE CAST(TRY_CAST(v AS TIMESTAMPTZ) AS TIMESTAMP) END END`;
    const iso = z.iso.datetime();
    // toISOString's shape with any digits (hours 24-29, minutes 60-99, 30 February, year 0000 included).
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), fc.constantFrom('T', 't', ' '), digits(2), digits(2), digits(2), fc.constantFrom('.', ','), digits(3), fc.constantFrom('Z', 'Z', 'z', '+00:00', ''))
      .map(([y, mo, d, t, h, mi, sec, dot, ms, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${sec}${dot}${ms}${z}`);
    const real = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
    const oneOff = fc.tuple(fc.oneof(real, shaped), fc.integer({ min: 0, max: 23 }), fc.constantFrom(' ', '-', '+', 'x', '٣', '0', '9', ':', '.')).map(([d, i, c]) => d.slice(0, i) + c + d.slice(i + 1));
    const other = fc.oneof(real.map((d) => d.replace('.000Z', 'Z')), real.map((d) => d.replace('Z', '123Z')), real.map((d) => d.slice(0, 16) + 'Z'), real.map((d) => `${d} `));
    const text = fc.oneof(real, shaped, oneOff, other, fc.string({ maxLength: 24 }), fc.constantFrom('2024-02-29T23:59:59.999Z', '2026-02-29T00:00:00.000Z', '1900-02-29T12:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', '2026-01-01T23:59:60.000Z'));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 200 }), async (texts) => {
        const rows = await evaluate(texts, [timestampSql(pattern, 'v'), exact, timestampSql(pattern, 'v', 'n_ts')]);
        rows.forEach(([fast, full, withCast], i) => {
          expect(fast).toBe(full);
          expect(withCast).toBe(full);
          expect(fast !== null).toBe(iso.safeParse(texts[i]).success);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('control characters: hasStripped says yes for every text that has one', async () => {
    const cl = fieldCleaning({});
    expect(cl.stripIsControl).toBe(true);
    const ch = fc.oneof(fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), fc.constantFrom('"', '\\', '\u00a0', '\u2028', 'é', '\u{1F600}', '/'));
    const text = fc.array(ch, { maxLength: 8 }).map((c) => c.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 200 }), async (texts) => {
        const rows = await evaluate(texts, [hasStripped('v', cl), `regexp_matches(v, '${cl.strip!}')`]);
        for (const [fast, full] of rows) if (full === 'true') expect(fast).toBe('true');
      }),
      { numRuns: 30 },
    );
  });
});
