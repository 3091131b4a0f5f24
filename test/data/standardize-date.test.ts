import { describe, expect, it } from 'vitest';
import { regexes } from 'zod';
import { withDuck } from '../../src/data/duck.ts';
import { dateSql } from '../../src/data/standardize/sql.ts';

// dateSql skips zod's date regex for texts DuckDB writes back as themselves: these are the texts
// where a DATE cast and zod's pattern disagree (or nearly do), each checked against the pattern.
const texts = ['2026-01-01', '0999-12-31', '0400-02-29', '1900-02-29', '2000-02-29', '2026-02-30', '0000-01-01', '0001-01-01', '9999-12-31', '2026-1-01', 'infinity', '-infinity', '+2026-01-01', ' 2026-01-01', '2026-01-01 ', '20260-01-01', '2026-01-01T00:00', 'epoch', '-0001-01-01', '2026/01/01', '12026-01-01'];

describe('a date column read from text', () => {
  it('takes exactly the texts zod.iso.date() accepts, as the dates they name', async () => {
    const got = await withDuck(async (c) => {
      const rows: Array<string | null> = [];
      for (const t of texts) {
        const lit = `'${t}'`;
        rows.push((await c.runAndReadAll(`SELECT (${dateSql(regexes.date.source, lit)})::VARCHAR`)).getRows()[0]![0] as string | null);
      }
      return rows;
    });
    expect(got).toEqual(texts.map((t) => (regexes.date.test(t) ? (t === '0000-01-01' ? '0001-01-01 (BC)' : t) : null)));
  });
});
