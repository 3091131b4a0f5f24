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

/**
 * The type a column's text is cast to in its common case (castSql), or undefined: a caller that
 * computes `TRY_CAST(raw AS <castType>)` once for every row (a column of a lower layer) hands it to
 * typedSql as `cast`, which then uses it wherever it would cast again (a CASE keeps each of its
 * casts: DuckDB does not share a subexpression under a CASE, so the int check cast three times).
 */
export function castType(col: Column): string | undefined {
  return col.kind === 'int' || col.kind === 'number' || col.kind === 'date' || col.kind === 'timestamp' ? col.sqlType : undefined;
}

/** The typed value of a column from its raw text expression; `cast` is TRY_CAST(raw AS castType(col)) when the caller has it. */
export function typedSql(col: Column, raw: string, cast?: string): string {
  if (col.default !== undefined) return `CASE WHEN ${raw} IS NULL THEN ${typeof col.default === 'string' ? sqlString(col.default) : String(col.default)}::${col.sqlType} ELSE ${castSql(col, raw, cast)} END`;
  return castSql(col, raw, cast);
}

function castSql(col: Column, raw: string, cast = `TRY_CAST(${raw} AS ${col.sqlType})`): string {
  if (col.kind === 'string' || col.kind === 'enum') return raw;
  // Timestamps and dates: only text the schema's own regular expression (zod's) accepts, so
  // '2001-01-01 00:01:00' or a bare date is not a z.iso.datetime() however DuckDB would cast it.
  if (col.pattern !== undefined && col.kind === 'date') return dateSql(col.pattern, raw, cast);
  if (col.kind === 'timestamp') return timestampSql(col.pattern, raw, cast);
  // TRY_CAST('2.5' AS BIGINT) rounds to 3: a whole number is written without a fraction. DuckDB
  // also reads '1_000', '0x10' and '0b11' as numbers and 'NaN' and 'Infinity' as doubles: not
  // decimal numbers, so refused (cheap tests instead of a regular expression per value); the
  // value must be in the number format's range (finite; int: safe integers, z.int32(): 32 bits).
  const range = (v: string) => `CASE WHEN ${v} BETWEEN ${col.min ?? -Number.MAX_VALUE} AND ${col.max ?? Number.MAX_VALUE} THEN ${v} END`;
  if (col.kind === 'int') {
    const checked = range(`CASE WHEN NOT (contains(${raw}, '.') OR contains(${raw}, '_') OR contains(${raw}, 'x') OR contains(${raw}, 'X') OR contains(${raw}, 'b') OR contains(${raw}, 'B')) THEN TRY_CAST(${raw} AS BIGINT) END`);
    return canonicalInt(raw, range, checked, cast);
  }
  if (col.kind === 'number') return `CASE WHEN contains(${raw}, '_') THEN NULL ELSE ${range(cast)} END`;
  return cast;
}

/** zod's default z.iso.datetime() pattern (no offset, any precision, 'Z'). */
const isoDatetime = regexes.datetime({}).source;

/** HH:MM:SS.mmmZ with the hour 00-23 (two GLOBs: DuckDB's cast takes the hour 24). */
const timeShapes = ['[01][0-9]', '2[0-3]'].map((h) => `T${h}:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z`);

/**
 * A timestamp from text, only where the schema's pattern (if any) matches. Stored as UTC. A plain
 * TIMESTAMP cast reads '…Z' right but drops any other offset, so only 'Z' strings (what
 * toISOString writes: the common case) take the fast cast; the rest go through TIMESTAMPTZ (the
 * session time zone is UTC, duck.ts). For zod's default pattern, text of toISOString's shape
 * (YYYY-MM-DDTHH:MM:SS.mmmZ, digits, hour 00-23, minutes and seconds 00-59) that casts needs no
 * regular expression: the pattern takes every such text whose date is a real date, which is what
 * the cast takes of it (as dateSql). `cast` is TRY_CAST(text AS TIMESTAMP).
 */
export function timestampSql(pattern: string | undefined, text: string, cast = `TRY_CAST(${text} AS TIMESTAMP)`): string {
  const value = `CASE WHEN ends_with(${text}, 'Z') THEN ${cast} ELSE CAST(TRY_CAST(${text} AS TIMESTAMPTZ) AS TIMESTAMP) END`;
  if (pattern === undefined) return value;
  const exact = `CASE WHEN regexp_full_match(${text}, ${sqlString(pattern)}) THEN ${value} END`;
  if (pattern !== isoDatetime) return exact;
  return `CASE WHEN (${timeShapes.map((t) => `${text} GLOB '${dateShape}${t}'`).join(' OR ')}) AND ${cast} IS NOT NULL THEN ${cast} ELSE ${exact} END`;
}

/**
 * A whole number from text: the text that casts to BIGINT and is written back as itself (a plain
 * decimal, as most are) has none of the characters the full check refuses, so it takes one cast
 * and a compare; the rest take `checked` (measured: 4 columns of 500k values, 0.34 s of CPU with
 * the six contains() each, 0.25 s with this). `range` keeps the value in the number format's range;
 * `cast` is TRY_CAST(text AS BIGINT), a column when the caller has one.
 */
export function canonicalInt(text: string, range: (v: string) => string, checked: string, cast = `TRY_CAST(${text} AS BIGINT)`): string {
  return `CASE WHEN CAST(${cast} AS VARCHAR) = ${text} THEN ${range(cast)} ELSE ${checked} END`;
}

/** ten characters YYYY-MM-DD, each Y, M and D a digit (GLOB: one cheap match, no regular expression). */
const dateShape = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';

/**
 * A date from text, only where the schema's pattern matches. zod's own date pattern takes every
 * YYYY-MM-DD of digits that is a real proleptic Gregorian date, which is what DuckDB's cast takes
 * of such text, so a text of that shape that casts needs no regular expression (measured 0.3 s of
 * CPU per 2M values); the rest are matched against the pattern. The shape is a GLOB (the check
 * before it, the date cast and written back as text, measured 1.6x the CPU of this one). `cast` is
 * TRY_CAST(text AS DATE).
 */
export function dateSql(pattern: string, text: string, cast = `TRY_CAST(${text} AS DATE)`): string {
  const exact = `CASE WHEN regexp_full_match(${text}, ${sqlString(pattern)}) THEN ${cast} END`;
  if (pattern !== regexes.date.source) return exact;
  return `CASE WHEN ${text} GLOB '${dateShape}' AND ${cast} IS NOT NULL THEN ${cast} ELSE ${exact} END`;
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
