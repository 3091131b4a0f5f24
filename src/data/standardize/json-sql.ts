/**
 * Schema columns as SQL over JSON values (standardize's JSON-lines path): each field arrives as its
 * JSON text (a string still quoted, so its JSON type is known), SQL NULL when missing, and `null`
 * when it is a JSON null (index.ts gives `null` only to the columns where null and missing differ:
 * needsNull). The value of a column is exactly what the schema's safeParse outputs:
 *
 *   string, enum       a JSON string only (1776, true, {"a":1} are not strings)
 *   number             a JSON number only, finite ("6.5" is a string; 1e400 is Infinity to JSON.parse)
 *   int                a JSON number that is a whole number in the format's range (7.0 and 1e3 are
 *                      7 and 1000, as JSON.parse makes them)
 *   boolean            true or false only
 *   timestamp, date    a JSON string matching the schema's own regular expression (zod's)
 *   z.coerce.number()  JavaScript's Number() of the value: null and false 0, true 1, a string by
 *                      Number()'s grammar (trimmed of JS whitespace, '' is 0, decimal, 0x, 0o and
 *                      0b forms); then the number checks above. Not as zod: a hex, octal or binary
 *                      literal over 64 bits and arrays (Number([5]) is 5) are rejected.
 *   missing            rejected, NULL, or the default (`.default()`); null: rejected or NULL
 *
 * A value that does not fit is NULL and the reason says what was expected and got (the JSON text).
 * Known differences from JSON.parse, below what the schema can see: a number written -0 is stored
 * as 0 (DuckDB's reader takes it as an integer), and of two fields with one name the first is
 * read (JSON.parse keeps the last).
 */
import { sqlString } from '../duck.ts';
import type { Column } from './schema.ts';
import { canonicalInt, castType, dateSql, expected, timestampSql } from './sql.ts';

/** Whether a column tells a JSON null from a missing field (index.ts then gives `null` for a null). */
export function needsNull(col: Column): boolean {
  return col.coerce === true || (col.missing ?? 'reject') !== (col.null ?? 'reject');
}

/**
 * Whether the source may hand this field as text (json_transform to VARCHAR: a string unquoted, any
 * other value as its JSON text) instead of JSON text, at no loss: no text of a non-string JSON value
 * (a number, true, false, null, an object or array) matches a timestamp or date pattern, or equals
 * an enum value that does not itself parse as JSON. It saves re-writing and unquoting the value.
 */
export function readsText(col: Column): boolean {
  if (needsNull(col)) return false;
  if (col.kind === 'timestamp' || col.kind === 'date') return true;
  return col.kind === 'enum' && (col.values ?? []).every((v) => !parsesAsJson(v));
}

function parsesAsJson(v: string): boolean {
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
}

/** JavaScript's whitespace and line terminators (what Number() trims), as an RE2 class. */
const jsSpace = '[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]';

/** A JSON string's value: its text unquoted, decoded only when it has an escape. */
function stringOf(x: string): string {
  return `CASE WHEN starts_with(${x}, '"') THEN CASE WHEN contains(${x}, '\\') THEN json_extract_string(${x}, '$') ELSE ${x}[2:-2] END END`;
}

/** Number(s) for a string s, NULL for NaN (the trimmed text is repeated: DuckDB computes a common subexpression once). */
function jsNumberOf(s: string): string {
  const t = `regexp_replace(${s}, ${sqlString(`^${jsSpace}+|${jsSpace}+$`)}, '', 'g')`;
  return `CASE WHEN ${t} = '' THEN 0::DOUBLE
    WHEN regexp_full_match(${t}, '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?') THEN TRY_CAST(${t} AS DOUBLE)
    WHEN regexp_full_match(${t}, '0[xX][0-9a-fA-F]{1,16}|0[bB][01]{1,64}') THEN CAST(TRY_CAST(${t} AS UBIGINT) AS DOUBLE)
    WHEN regexp_full_match(${t}, '0[oO][0-7]{1,21}') THEN CAST(TRY_CAST('0b' || list_aggregate(list_transform(string_split(substr(${t}, 3), ''), lambda c: ['000', '001', '010', '011', '100', '101', '110', '111'][c::INT + 1]), 'string_agg', '') AS UBIGINT) AS DOUBLE) END`;
}

/** The JSON value as a double: a number as itself; coerced, Number() of it. NULL when not a finite number. */
function numberOf(col: Column, x: string): string {
  return col.coerce
    ? `CASE WHEN ${x} = 'null' OR ${x} = 'false' THEN 0::DOUBLE WHEN ${x} = 'true' THEN 1::DOUBLE WHEN starts_with(${x}, '"') THEN ${jsNumberOf(stringOf(x))} ELSE TRY_CAST(${x} AS DOUBLE) END`
    : `TRY_CAST(${x} AS DOUBLE)`;
}

/**
 * The type kindValue casts a field's JSON text x to in its common case (a number not coerced; a
 * timestamp or date read as text), or undefined: TRY_CAST(x AS <it>) is what kindValue takes as `cast`.
 */
export function jsonCastType(col: Column, text: boolean): string | undefined {
  if (col.kind === 'int' || col.kind === 'number') return col.coerce ? undefined : castType(col);
  return text ? castType(col) : undefined;
}

/**
 * The typed value of a present, non-null field from its JSON text (or its text: readsText), NULL
 * when it does not fit. `cast` is TRY_CAST(x AS jsonCastType(col, text)) when the caller has it.
 */
function kindValue(col: Column, x: string, text: boolean, cast?: string): string {
  const str = text ? x : stringOf(x);
  switch (col.kind) {
    case 'string':
      return str;
    case 'enum':
      return `CASE WHEN ${str} IN (${(col.values ?? []).map(sqlString).join(', ')}) THEN ${str} END`;
    case 'boolean':
      return `CASE ${x} WHEN 'true' THEN true WHEN 'false' THEN false END`;
    case 'number': {
      const n = col.coerce ? numberOf(col, x) : (cast ?? numberOf(col, x));
      return `CASE WHEN ${n} BETWEEN ${col.min ?? -Number.MAX_VALUE} AND ${col.max ?? Number.MAX_VALUE} THEN ${n} END`;
    }
    case 'int': {
      const min = col.min ?? Number.MIN_SAFE_INTEGER;
      const max = col.max ?? Number.MAX_SAFE_INTEGER;
      const checked = `CASE WHEN ${numberOf(col, x)} BETWEEN ${min} AND ${max} AND ${numberOf(col, x)} = trunc(${numberOf(col, x)}) THEN CAST(${numberOf(col, x)} AS BIGINT) END`;
      // A JSON integer written plainly is the number JSON.parse reads (in the safe range, where the check is exact).
      return col.coerce ? checked : canonicalInt(x, (v) => `CASE WHEN ${v} BETWEEN ${min} AND ${max} THEN ${v} END`, checked, cast);
    }
    case 'timestamp':
      return timestampSql(col.pattern ?? '', str, text ? cast : undefined);
    case 'date':
      return dateSql(col.pattern ?? '', str, text ? cast : undefined);
  }
}

/** SQL literal of the column's default. */
function defaultSql(col: Column): string {
  const v = col.default;
  if (typeof v === 'string') return `${sqlString(v)}::${col.sqlType}`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `${String(v)}::${col.sqlType}`;
}

/** The missing test: for a column that does not tell null from missing, a null counts as missing. */
function missingSql(col: Column, x: string): string {
  return needsNull(col) ? `${x} IS NULL` : `(${x} IS NULL OR ${x} = 'null')`;
}

const missingRule = (col: Column) => col.missing ?? 'reject';
/** A JSON null is stored as NULL (for a column where null and missing differ). */
const nullStored = (col: Column) => needsNull(col) && col.null === 'null';

/** The stored value of a column from its JSON text (its text when `text`: readsText); `cast` as kindValue's. */
export function jsonTypedSql(col: Column, x: string, text = false, cast?: string): string {
  const branches: string[] = [];
  const missing = missingRule(col);
  if (missing === 'default') branches.push(`WHEN ${missingSql(col, x)} THEN ${defaultSql(col)}`);
  if (missing === 'null') branches.push(`WHEN ${missingSql(col, x)} THEN NULL`);
  if (nullStored(col)) branches.push(`WHEN ${x} = 'null' THEN NULL`);
  return branches.length ? `CASE ${branches.join(' ')} ELSE ${kindValue(col, x, text, cast)} END` : kindValue(col, x, text, cast);
}

/** True when the column's value fails (from its JSON text and its stored value). Never NULL. */
export function jsonFailSql(col: Column, x: string, value: string): string {
  const missing = missingRule(col);
  if (missing === 'reject' && !nullStored(col)) return `${value} IS NULL`;
  return `CASE WHEN ${missingSql(col, x)} THEN ${missing === 'reject'}${nullStored(col) ? ` WHEN ${x} = 'null' THEN false` : ''} ELSE ${value} IS NULL END`;
}

/** The reason (or NULL) for one column, from its JSON text and its stored value. */
export function jsonReasonSql(col: Column, x: string, value: string, text = false): string {
  const name = col.name.replaceAll("'", "''");
  const parts = [`WHEN ${missingSql(col, x)} THEN ${missingRule(col) !== 'reject' ? 'NULL' : `'${name}: required, but missing${needsNull(col) ? '' : ' or null'}'`}`];
  if (nullStored(col)) parts.push(`WHEN ${x} = 'null' THEN NULL`);
  const shown = col.kind === 'enum' ? `one of ${(col.values ?? []).map((v) => JSON.stringify(v)).join(', ').replaceAll("'", "''")}` : expected[col.kind];
  parts.push(`WHEN ${value} IS NULL THEN '${name}: expected ${shown}${col.coerce ? ' (as Number() converts it)' : ''}, got ' || ${text ? `to_json(left(${x}, 60))::VARCHAR` : `left(${x}, 60)`}`);
  return `CASE ${parts.join(' ')} END`;
}
