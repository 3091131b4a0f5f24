/**
 * The staging query shared by standardize (JSON lines) and CSV ingestion, built so each value is
 * cast once and reasons are only spelled out for the few rows that fail:
 *
 *   L1 (the caller's): _line, _pre (reasons found before the fields, e.g. malformed JSON, or
 *                      NULL), _r1.._rn (each field's raw text), and whatever `src` needs
 *   L2: + _c1.._cn    the typed values (TRY_CAST: a bad value is NULL, never an error)
 *   L3: + _bad        _pre is set, or some field is missing or did not cast
 *   staged:           _line, the typed values under the schema's names, _bad, and for bad rows
 *                     only: _raw (the `src` expression: the row's text), _pre and the raw fields
 *                     (_rawv), from which {@link rejectedSql} writes the reasons. `src` is only
 *                     evaluated for bad rows (a CASE branch), so building it costs nothing on
 *                     the bulk path.
 */
import { sqlIdent, sqlString } from '../duck.ts';
import type { Column } from './schema.ts';
import { reasonSql, typedSql } from './sql.ts';

function failSql(col: Column, raw: string, typed: string): string {
  const parts: string[] = [];
  if (!col.optional) parts.push(`${raw} IS NULL`);
  if (col.kind === 'enum' && col.values) parts.push(`${raw} NOT IN (${col.values.map(sqlString).join(', ')})`);
  else if (col.kind !== 'string') parts.push(`(${raw} IS NOT NULL AND ${typed} IS NULL)`);
  return parts.length ? parts.join(' OR ') : 'false';
}

/** CREATE TEMP TABLE staged from the caller's L1 query. */
export function stagedTableSql(columns: readonly Column[], l1: string, src: string): string {
  const r = (i: number) => `_r${i + 1}`;
  const c = (i: number) => `_c${i + 1}`;
  const l2 = `SELECT *, ${columns.map((col, i) => `${typedSql(col, r(i))} AS ${c(i)}`).join(', ')} FROM l1`;
  const fails = columns.map((col, i) => `(${failSql(col, r(i), c(i))})`);
  const l3 = `SELECT *, (_pre IS NOT NULL${fails.length ? ` OR ${fails.join(' OR ')}` : ''}) AS _bad FROM l2`;
  const rawv = columns.length ? `[${columns.map((_, i) => r(i)).join(', ')}]` : '[]::VARCHAR[]';
  // NOT MATERIALIZED: materializing the layers measured 2-3x slower than letting DuckDB stream them.
  return `CREATE TEMP TABLE staged AS WITH l1 AS NOT MATERIALIZED (${l1}), l2 AS NOT MATERIALIZED (${l2}) SELECT _line, ${columns.map((col, i) => `${c(i)} AS ${sqlIdent(col.name)}`).join(', ')}${columns.length ? ',' : ''} _bad,
    CASE WHEN _bad THEN ${src} END AS _raw, CASE WHEN _bad THEN _pre END AS _pre, CASE WHEN _bad THEN ${rawv} END AS _rawv, NULL::VARCHAR[] AS _reasons FROM (${l3})`;
}

/** The rejected rows with every reason: line, reasons, raw. */
export function rejectedSql(columns: readonly Column[]): string {
  const reasons = columns.length ? `list_filter([${columns.map((col, i) => reasonSql(col, `_rawv[${i + 1}]`)).join(', ')}], x -> x IS NOT NULL)` : '[]::VARCHAR[]';
  return `SELECT _line AS line, coalesce(_reasons, _pre, ${reasons}) AS reasons, _raw AS raw FROM staged WHERE _bad ORDER BY _line`;
}

/** The valid rows' typed columns, in file order (a temp table scan keeps insertion order). */
export function validSql(columns: readonly Column[]): string {
  return `SELECT ${columns.map((col) => sqlIdent(col.name)).join(', ') || '*'} FROM staged WHERE NOT _bad`;
}
