/**
 * The lake's SQL box is read-only: one SELECT / WITH / FROM / DESCRIBE / SHOW / SUMMARIZE /
 * EXPLAIN statement, with no keyword that writes or changes the database or the session, and no
 * direct file access (DuckDB's read_* / glob table functions, or a quoted path after FROM/JOIN), so
 * the box reads the catalog's tables and nothing else on disk. The check runs on the text with
 * comments and string literals blanked out, so a keyword inside a string does not count.
 */
import { ValidationError } from '../../core/errors.ts';

const leading = new Set(['SELECT', 'WITH', 'FROM', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'EXPLAIN', 'VALUES', 'TABLE']);
const writes = /\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|ATTACH|DETACH|INSTALL|LOAD|PRAGMA|SET|RESET|EXPORT|IMPORT|CALL|CHECKPOINT|VACUUM|MERGE|TRUNCATE|USE|GRANT|REVOKE|BEGIN|COMMIT|ROLLBACK|ABORT)\b/i;
const fileFunctions = /\b(read_\w+|glob|parquet_scan|parquet_metadata|parquet_schema|sniff_csv|query_table|query)\s*\(/i;

/** Blanks out comments and string literals ('...', "..." identifiers are kept), keeping positions. */
function blank(sql: string): { text: string; stringAfterFrom: boolean } {
  let out = '';
  let stringAfterFrom = false;
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === "'" || (c === 'E' && sql[i + 1] === "'")) {
      if (/\b(FROM|JOIN)\s*$/i.test(out)) stringAfterFrom = true;
      let j = i + (c === 'E' ? 2 : 1);
      while (j < sql.length) {
        if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      out += "'" + ' '.repeat(Math.max(0, Math.min(j, sql.length) - i - 1)) + (j < sql.length ? "'" : '');
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, stringAfterFrom };
}

/** Throws a ValidationError unless `sql` is one read-only statement; returns it without a trailing semicolon and whether it can be wrapped in a LIMIT. */
export function checkReadOnly(sql: string): { sql: string; wrappable: boolean } {
  const how = 'Write one SELECT (or WITH, DESCRIBE, SHOW) over the catalog tables; bind values with ? or $name.';
  const trimmed = sql.trim().replace(/;\s*$/, '');
  if (trimmed === '') throw new ValidationError('POST /api/lake/query: field "sql" is empty.', { action: how });
  const { text, stringAfterFrom } = blank(trimmed);
  if (text.includes(';')) throw new ValidationError('POST /api/lake/query: the SQL has more than one statement (a ";" inside it); the lake query box runs one read-only statement.', { action: how });
  const first = /^[\s(]*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase();
  if (!first || !leading.has(first)) throw new ValidationError(`POST /api/lake/query: the statement starts with ${first ?? 'no keyword'}; the lake query box is read-only and runs only SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN.`, { action: how });
  const write = writes.exec(text);
  if (write) throw new ValidationError(`POST /api/lake/query: the SQL uses ${write[1]!.toUpperCase()}, which writes or changes the database; the lake query box is read-only.`, { action: how });
  const file = fileFunctions.exec(text);
  if (file) throw new ValidationError(`POST /api/lake/query: the SQL calls ${file[1]}(), which reads files directly; the lake query box reads the catalog's tables only.`, { action: 'Query a catalog table by name (GET /api/lake/tables lists them).' });
  if (stringAfterFrom) throw new ValidationError('POST /api/lake/query: the SQL reads a quoted path after FROM/JOIN, which reads a file directly; the lake query box reads the catalog\'s tables only.', { action: 'Query a catalog table by name (GET /api/lake/tables lists them).' });
  return { sql: trimmed, wrappable: first === 'SELECT' || first === 'WITH' || first === 'FROM' || first === 'VALUES' || first === 'TABLE' };
}
