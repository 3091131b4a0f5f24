import type { DuckDBConnection } from '@duckdb/node-api';
import { one } from './duck.ts';

/**
 * Corrects the line numbers (column `_line`) of rows numbered WITH ORDINALITY for the lines the
 * CSV reader refused (kept in its `store_rejects` table, by line): ORDINALITY counts rows read, so
 * each refused line before a row moves it down by the lines it spans.
 */
export async function shiftForReaderRejects(conn: DuckDBConnection, table: string, rejectsTable: string): Promise<void> {
  const n = Number((await one(conn, `SELECT count(*) AS n FROM ${rejectsTable}`))['n']);
  if (n === 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE rej_adj AS
    SELECT line - coalesce(sum(span) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS a, span
    FROM (SELECT line, max(length(csv_line) - length(replace(csv_line, chr(10), '')) + 1) AS span FROM ${rejectsTable} GROUP BY line)`);
  await conn.run(`UPDATE ${table} SET _line = _line + (SELECT coalesce(sum(span), 0) FROM rej_adj WHERE a <= ${table}._line)`);
}
