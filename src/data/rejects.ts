import type { DuckDBConnection } from '@duckdb/node-api';
import { one } from './duck.ts';

/**
 * Adds the lines DuckDB's CSV reader refused (kept in its `store_rejects` table) to a staging
 * table as rejected rows with their reasons, and shifts the line numbers of the rows after them:
 * WITH ORDINALITY counts rows read, so each refused line before a row moves it down by one.
 * The staging table has columns _line, _bad, _reasons, _raw (standardize/stage.ts).
 */
export async function mergeReaderRejects(conn: DuckDBConnection, staged: string, rejectsTable: string): Promise<void> {
  const n = Number((await one(conn, `SELECT count(*) AS n FROM ${rejectsTable}`))['n']);
  if (n === 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE rej_adj AS
    SELECT line - coalesce(sum(span) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS a, span
    FROM (SELECT line, max(length(csv_line) - length(replace(csv_line, chr(10), '')) + 1) AS span FROM ${rejectsTable} GROUP BY line)`);
  await conn.run(`UPDATE ${staged} SET _line = _line + (SELECT coalesce(sum(span), 0) FROM rej_adj WHERE a <= ${staged}._line)`);
  await conn.run(`INSERT INTO ${staged} (_line, _bad, _reasons, _raw) SELECT line, true, list(DISTINCT 'unreadable line: ' || error_message), any_value(csv_line) FROM ${rejectsTable} GROUP BY line`);
}
