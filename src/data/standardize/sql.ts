/**
 * Schema columns as SQL over text (CSV's fields; JSON values go through json-sql.ts): for each column, the typed value (TRY_CAST, so a bad value becomes NULL
 * instead of aborting the query) and the reason it fails, if it does (stage.ts gathers every
 * reason of a rejected row into one list, so a record's every failure is reported at once).
 */
import { regexes } from 'zod';
import { sqlString } from '../duck.ts';
import type { Column } from './schema.ts';

/** How a rejection reason names what a column of each kind expects (both bulk readers use it). */
export const expected: Record<Column['kind'], string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'a boolean',
  timestamp: 'an ISO timestamp',
  date: 'an ISO date (YYYY-MM-DD)',
  enum: 'one of the enum values',
};

/** The typed value of a column from its raw text expression. */
export function typedSql(col: Column, raw: string): string {
  if (col.default !== undefined) return `CASE WHEN ${raw} IS NULL THEN ${typeof col.default === 'string' ? sqlString(col.default) : String(col.default)}::${col.sqlType} ELSE ${castSql(col, raw)} END`;
  return castSql(col, raw);
}

function castSql(col: Column, raw: string): string {
  if (col.kind === 'string' || col.kind === 'enum') return raw;
  // Timestamps and dates: only text the schema's own regular expression (zod's) accepts, so
  // '2001-01-01 00:01:00' or a bare date is not a z.iso.datetime() however DuckDB would cast it.
  if (col.pattern !== undefined && col.kind === 'date') return dateSql(col.pattern, raw);
  if (col.pattern !== undefined && col.kind === 'timestamp') return `CASE WHEN regexp_full_match(${raw}, ${sqlString(col.pattern)}) THEN ${castSql({ ...col, pattern: undefined } as Column, raw)} END`;
  // Stored as UTC. A plain TIMESTAMP cast reads '…Z' right but drops any other offset, so only
  // 'Z' strings (what toISOString writes: the common case) take the fast cast; the rest go
  // through TIMESTAMPTZ (the session time zone is UTC, duck.ts).
  if (col.kind === 'timestamp') return `CASE WHEN ends_with(${raw}, 'Z') THEN TRY_CAST(${raw} AS TIMESTAMP) ELSE CAST(TRY_CAST(${raw} AS TIMESTAMPTZ) AS TIMESTAMP) END`;
  // TRY_CAST('2.5' AS BIGINT) rounds to 3: a whole number is written without a fraction. DuckDB
  // also reads '1_000', '0x10' and '0b11' as numbers and 'NaN' and 'Infinity' as doubles: not
  // decimal numbers, so refused (cheap tests instead of a regular expression per value); the
  // value must be in the number format's range (finite; int: safe integers, z.int32(): 32 bits).
  const range = (v: string) => `CASE WHEN ${v} BETWEEN ${col.min ?? -Number.MAX_VALUE} AND ${col.max ?? Number.MAX_VALUE} THEN ${v} END`;
  if (col.kind === 'int') {
    return range(`CASE WHEN NOT (contains(${raw}, '.') OR contains(${raw}, '_') OR contains(${raw}, 'x') OR contains(${raw}, 'X') OR contains(${raw}, 'b') OR contains(${raw}, 'B')) THEN TRY_CAST(${raw} AS BIGINT) END`);
  }
  if (col.kind === 'number') return range(`CASE WHEN NOT contains(${raw}, '_') THEN TRY_CAST(${raw} AS DOUBLE) END`);
  return `TRY_CAST(${raw} AS ${col.sqlType})`;
}

/**
 * A date from text, only where the schema's pattern matches. With zod's own date pattern (every
 * YYYY-MM-DD that is a real proleptic Gregorian date, which is what DuckDB writes for a DATE of
 * years 1-9999) a text that casts and is written back as itself matches it, so the regular
 * expression (measured 0.3 s of CPU per 2M values) runs only on the texts that do not.
 */
export function dateSql(pattern: string, text: string): string {
  const exact = `CASE WHEN regexp_full_match(${text}, ${sqlString(pattern)}) THEN TRY_CAST(${text} AS DATE) END`;
  if (pattern !== regexes.date.source) return exact;
  return `CASE WHEN strlen(${text}) = 10 AND CAST(TRY_CAST(${text} AS DATE) AS VARCHAR) = ${text} THEN TRY_CAST(${text} AS DATE) ELSE ${exact} END`;
}

/** The reason (or NULL) for one column, from its raw text expression. */
export function reasonSql(col: Column, raw: string): string {
  const name = col.name.replaceAll("'", "''");
  const parts: string[] = [];
  if (!col.optional) parts.push(`WHEN ${raw} IS NULL THEN '${name}: required, but missing or null'`);
  if (col.kind === 'enum' && col.values) {
    const list = col.values.map(sqlString).join(', ');
    const shown = col.values.map((v) => JSON.stringify(v)).join(', ').replaceAll("'", "''");
    parts.push(`WHEN ${raw} NOT IN (${list}) THEN '${name}: expected one of ${shown}, got ' || to_json(left(${raw}, 60))::VARCHAR`);
  } else if (col.kind !== 'string') {
    parts.push(`WHEN ${raw} IS NOT NULL AND ${typedSql(col, raw)} IS NULL THEN '${name}: expected ${expected[col.kind]}, got ' || to_json(left(${raw}, 60))::VARCHAR`);
  }
  return parts.length === 0 ? 'NULL' : `CASE ${parts.join(' ')} END`;
}
