import { withDuck } from '../../src/data/duck.ts';

/** Runs SQL in a fresh DuckDB and returns rows with BIGINTs and DECIMALs as numbers. */
export async function sql(text: string): Promise<Array<Record<string, unknown>>> {
  return withDuck(async (conn) => {
    const reader = await conn.runAndReadAll(text);
    return reader.getRowObjectsJson().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
  });
}
