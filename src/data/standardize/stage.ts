/**
 * Checked rows: the pipeline shared by standardize (JSON lines) and CSV ingestion. The bulk path is
 * one parallel, streaming DuckDB pass; nothing is staged and the bulk path never numbers rows
 * (WITH ORDINALITY makes a scan single-threaded, and staging every row in a table cost as much as
 * the COPY: bench/lake.bench.ts):
 *
 *   1. main pass  the source is read, each field cleaned and cast once, and the valid rows go
 *                 straight to the sink (a COPY to Parquet, or a table). A rejected row leaves the
 *                 same pass through `baton_reject`, a JS scalar function evaluated only for rejected
 *                 rows, which appends its raw text, a hash of that text and every reason to a
 *                 JSON-lines file (memory stays bounded however many rows fail).
 *   2. numbering  only when some row was rejected: one serial scan of the source WITH ORDINALITY that
 *                 keeps the rows whose hash is a rejected one, so their line numbers are exact. Whether
 *                 a row fails depends only on its text, so the k-th rejected row with a given text is
 *                 the k-th row of the file with that text.
 *   3. output     the rejected rows and the lines the reader itself refused (its reject store, which
 *                 has their line numbers), in line order, as JSON lines: line, reasons, raw.
 *
 * The caller describes its source (CheckedSource): the reader, and a query over it giving the
 * reader's columns, _pre (reasons found before the fields, such as malformed JSON, or NULL) and
 * _x1.._xn (each field's raw text). Names starting with _ are ours: with `internal`, a longer prefix
 * when the reader's own columns (a CSV's header) start with _.
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BOOLEAN, DuckDBScalarFunction, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { one, sqlIdent, sqlString } from '../duck.ts';
import { shiftForReaderRejects } from '../rejects.ts';
import type { Column } from './schema.ts';
import { jsonCastType, jsonFailSql, jsonReasonSql, jsonTypedSql } from './json-sql.ts';
import { castType, reasonSql, typedSql } from './sql.ts';

export interface CheckedSource {
  columns: readonly Column[];
  /** The reader, a table function call (no ORDINALITY) whose reject store is the table `rejects`. */
  reader(rejects: string): string;
  /**
   * SELECT * (the reader's columns, passed through) plus _pre and _x1.._xn FROM `from` (the
   * reader; the numbering scan reads the source on its own), leaving out rows that are not
   * records (blank lines).
   */
  fields(from: string): string;
  /**
   * The prefix of the check's own column names (_pre, _x<i>, _c<i>, _keep ...; default '_'): one
   * that no column of the reader starts with, since every layer passes the reader's columns through
   * (SELECT *) and a header named like one of ours took its place (a CSV column "_c1" gave every
   * row the wrong value). internalPrefix gives it.
   */
  internal?: string;
  /** The row's text as written to the rejected object, over the reader's columns (evaluated for rejected rows only). */
  raw: string;
  /** A hash of the row's text, over the reader's columns: the same value in every pass. */
  hash: string;
  /**
   * The reader's columns, in order: the numbering scan names them and then its ordinal column
   * (`<internal>ord`, the row's line number before reader rejects are counted in), since WITH
   * ORDINALITY's own name, ordinality, loses to a reader column of that name (a CSV header
   * "ordinality" gave its text as the line number).
   */
  readerColumns: readonly string[];
  /**
   * Sets the line numbers instead of shiftForReaderRejects (which takes every row and refused line
   * to be one line): `_line` in `numbered` and `line` in the reader's rejects (see RenumberTables).
   */
  renumber?(conn: DuckDBConnection, tables: RenumberTables): Promise<void>;
  /** The cleaning of the fields' raw text (CSV); none when undefined. */
  cleaning?: FieldCleaning;
  /**
   * 'json': _x<i> is the field's JSON text (a string still quoted; json-sql.ts), so values keep
   * their JSON type; 'text' (default): _x<i> is text to cast (CSV; sql.ts).
   */
  values?: 'json' | 'text';
  /** With values 'json': the columns (by index) handed as text instead (json-sql.ts readsText). */
  textFields?: ReadonlySet<number>;
}

export interface RenumberTables {
  /** The rows rejected by value, `_line` holding `line`; absent when there are none. */
  numbered?: string;
  /** The reader rejects of the scan that numbered them. */
  numberingRejects?: string;
  /** The reader rejects reported (`line`, `csv_line`). */
  readerRejects: string;
}

export interface FieldCleaning {
  /** A RE2 character class of the characters to remove, if any. */
  strip?: string;
  /** `strip` is the control characters (U+0000–U+001F, U+007F) and nothing else. */
  stripIsControl?: boolean;
  trim: boolean;
  /** After cleaning, '' is NULL. */
  emptyToNull: boolean;
  /**
   * A raw value that casts to a typed column casts to the same value once cleaned (true when cleaning
   * only removes what a cast ignores anyway: edge whitespace and control characters), so typed
   * columns try the cast first and only clean the values that fail it.
   */
  castRawFirst: boolean;
}

export interface CheckedCounts {
  /** Rows read: valid + rejected (blank lines not counted). */
  read: number;
  valid: number;
  rejected: number;
}

const typed = (col: Column) => col.kind !== 'string' && col.kind !== 'enum';

/**
 * The main pass's query: the valid rows' typed columns, in source order; rejected rows go to
 * baton_reject. Layers over the caller's fields (each value is cleaned and cast once; what only
 * rejected rows need is inline in a CASE branch, which DuckDB evaluates only for the rows taking it):
 *
 *   l0: + _n<i>  TRY_CAST of the text a typed column's value is read from (castType), once per row
 *   l1: + _f<i>  the raw text cast to the column's type (castRawFirst)
 *       + _s     the row has characters to strip, in a column cleaned for every row: one regexp
 *                over their concatenation (a regexp call costs more than the bytes it reads)
 *   l2: + _t<i>  stripped and trimmed text of the columns cleaned for every row
 *   l3: + _r<i>  _t<i>, '' as NULL (emptyToNull)
 *   l4: + _c<i>  the typed values (TRY_CAST: a bad value is NULL, never an error)
 *   l5: + _bad   _pre is set, or some field is missing or did not cast
 *   l6: + _keep  NOT _bad; a rejected row is handed to baton_reject
 */
export function checkedSql(src: CheckedSource): string {
  const cols = src.columns;
  const cl = src.cleaning;
  const fast = cl?.castRawFirst === true;
  const ours = src.internal ?? '_'; // the prefix of our own column names (CheckedSource.internal)
  const x = (i: number) => `${ours}x${i + 1}`;
  const c = (i: number) => `${ours}c${i + 1}`;
  const f = (i: number) => `${ours}f${i + 1}`;
  const strip = (e: string, when?: string) => (cl?.strip === undefined ? e : when ? `CASE WHEN ${when} THEN regexp_replace(${e}, ${sqlString(cl.strip)}, '', 'g') ELSE ${e} END` : `regexp_replace(${e}, ${sqlString(cl.strip)}, '', 'g')`);
  const trim = (e: string) => (cl?.trim ? `trim(${e})` : e);
  const nullIfEmpty = (e: string) => (cl?.emptyToNull ? `NULLIF(${e}, '')` : e);
  // Cleaned text: a column when every row needs it, else inline (evaluated only where it is used).
  const kept = (i: number) => cl !== undefined && !(fast && typed(cols[i]!));
  const r = (i: number) => (cl === undefined ? x(i) : kept(i) ? `${ours}r${i + 1}` : nullIfEmpty(trim(strip(x(i)))));
  const each = (fn: (col: Column, i: number) => string) => cols.map(fn).join('');
  const keptCols = cols.flatMap((_, i) => (kept(i) ? [i] : []));
  const rowStrip = cl?.strip !== undefined && keptCols.length > 0 ? `, ${hasStripped(`concat(${keptCols.map(x).join(', ')})`, cl)} AS ${ours}s` : '';
  const json = src.values === 'json';
  const text = (i: number) => src.textFields?.has(i) === true;
  // The cast of a column's common case, on the text its value is read from when that is _x<i>
  // (values as read, or cast before cleaning); the SQL below uses _n<i> wherever it would cast _x<i>.
  const castOf = (col: Column, i: number) => (json ? jsonCastType(col, text(i)) : cl === undefined || (fast && typed(col)) ? castType(col) : undefined);
  const n = (col: Column, i: number) => (castOf(col, i) === undefined ? undefined : `${ours}n${i + 1}`);
  const l0 = `SELECT *${each((col, i) => (n(col, i) ? `, TRY_CAST(${x(i)} AS ${castOf(col, i)!}) AS ${n(col, i)!}` : ''))} FROM (${src.fields(src.reader('rejects_main'))})`;
  const l1 = `SELECT *${each((col, i) => (fast && typed(col) ? `, ${typedSql(col, x(i), n(col, i))} AS ${f(i)}` : ''))}${rowStrip} FROM l0`;
  const l2 = `SELECT *${each((_, i) => (kept(i) ? `, ${trim(strip(x(i), `${ours}s`))} AS ${ours}t${i + 1}` : ''))} FROM l1`;
  const l3 = `SELECT *${each((_, i) => (kept(i) ? `, ${nullIfEmpty(`${ours}t${i + 1}`)} AS ${ours}r${i + 1}` : ''))} FROM l2`;
  // CASE, not COALESCE: DuckDB evaluated the COALESCE fallback for every row (measured 0.5 s of 1.4 s).
  const textValue = (col: Column, i: number) => (!typed(col) ? withDefault(col, r(i)) : fast ? `CASE WHEN ${f(i)} IS NOT NULL THEN ${f(i)} ELSE ${typedSql(col, r(i))} END` : typedSql(col, r(i), cl === undefined ? n(col, i) : undefined));
  const value = (col: Column, i: number) => (json ? jsonTypedSql(col, r(i), text(i), n(col, i)) : textValue(col, i));
  const fail = (col: Column, i: number) => (json ? jsonFailSql(col, r(i), c(i)) : failSql(col, r(i), c(i)));
  const reason = (col: Column, i: number) => (json ? jsonReasonSql(col, r(i), c(i), text(i)) : reasonSql(col, r(i)));
  const l4 = `SELECT *${each((col, i) => `, ${value(col, i)} AS ${c(i)}`)} FROM l3`;
  const l5 = `SELECT *, (${ours}pre IS NOT NULL${each((col, i) => ` OR (${fail(col, i)})`)}) AS ${ours}bad FROM l4`;
  const reasons = cols.length ? `coalesce(${ours}pre, list_filter([${cols.map(reason).join(', ')}], lambda x: x IS NOT NULL))` : `coalesce(${ours}pre, []::VARCHAR[])`;
  const reject = `baton_reject(to_json(struct_pack(h := (${src.hash})::VARCHAR, k := ${src.raw}, r := ${reasons}))::VARCHAR)`;
  // _keep is a column (not the filter itself) and volatile: DuckDB does not push the filter down
  // into the layers, where it would compute the values a second time.
  const l6 = `SELECT *, CASE WHEN ${ours}bad THEN ${reject} ELSE true END AS ${ours}keep FROM l5`;
  const out = cols.map((col, i) => `${c(i)} AS ${sqlIdent(col.name)}`).join(', ') || `0 AS ${ours}none`;
  // NOT MATERIALIZED: DuckDB streams the layers (materializing them measured 2-3x slower).
  const ctes = [l0, l1, l2, l3, l4, l5, l6].map((q, i) => `l${i} AS NOT MATERIALIZED (${q})`).join(', ');
  return `WITH ${ctes} SELECT ${out} FROM l6 WHERE ${ours}keep`;
}

/**
 * True when `text` may hold a character to strip (false positives only cost a regexp_replace). For
 * the control characters: to_json escapes each one below U+0020 (and '"' and '\\'), so the JSON is
 * longer than the text plus its quotes exactly when one is there, and U+007F is found with contains
 * (measured over 4 columns of 500k rows: 0.05 s of CPU instead of 0.11 s for the regular expression).
 */
export function hasStripped(text: string, cl: FieldCleaning): string {
  if (!cl.stripIsControl) return `regexp_matches(${text}, ${sqlString(cl.strip!)})`;
  return `(strlen(to_json(${text})::VARCHAR) <> strlen(${text}) + 2 OR contains(${text}, chr(127)))`;
}

/** A text column's value, its default when the text is NULL (`.default()`). */
function withDefault(col: Column, text: string): string {
  return col.default === undefined ? text : `coalesce(${text}, ${sqlString(String(col.default))})`;
}

/** True when a column's value fails: missing but required, not of the type, not an enum value. Never NULL. */
function failSql(col: Column, raw: string, value: string): string {
  if (col.kind === 'string') return col.optional ? 'false' : `${value} IS NULL`;
  if (col.kind === 'enum') return `coalesce(${value} NOT IN (${(col.values ?? []).map(sqlString).join(', ')}), ${!col.optional})`;
  // The value is NULL when the text is missing or did not cast; only then is the text looked at.
  return col.optional ? `CASE WHEN ${value} IS NULL THEN ${raw} IS NOT NULL ELSE false END` : `${value} IS NULL`;
}

/** Collects the rows baton_reject receives into a JSON-lines file (one write per chunk). */
function rejectCollector(conn: DuckDBConnection, path: string): { count: () => number; close: () => void } {
  const fd = openSync(path, 'w');
  let n = 0;
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: 'baton_reject',
      returnType: BOOLEAN,
      parameterTypes: [VARCHAR],
      volatile: true,
      mainFunction: (info, input, output) => {
        try {
          const v = input.getColumnVector(0);
          let text = '';
          for (let i = 0; i < input.rowCount; i++) {
            text += `${v.getItem(i) as string}\n`;
            output.setItem(i, false);
          }
          writeSync(fd, text);
          n += input.rowCount;
          output.flush();
        } catch (e) {
          info.setError(`Cannot keep the rejected rows: ${(e as Error).message}`);
        }
      },
    }),
  );
  return { count: () => n, close: () => closeSync(fd) };
}

export interface CheckedRun {
  /** The statement taking the valid rows' query (a COPY or CREATE TABLE … AS); it must return the row count. */
  sink(select: string): string;
  /**
   * Runs the valid rows' query itself instead of `sink` (e.g. streams it to a consumer) and returns
   * how many rows it gave; baton_reject is registered on the connection while it runs.
   */
  pass?(select: string): Promise<number>;
  /** A folder for temp files. */
  dir: string;
  /** Where the rejected rows go as JSON lines (line, reasons, raw); only written when some are rejected. */
  rejectedPath: string;
  /** Rows the caller rejected before the pass (a table of line, reasons, raw), reported and counted with the others. */
  rejectedBefore?: { table: string; rows: number };
}

/** A prefix of underscores longer than any run of them that starts one of `names` (CheckedSource.internal). */
export function internalPrefix(names: readonly string[]): string {
  let longest = 0;
  for (const name of names) longest = Math.max(longest, /^_*/.exec(name)![0].length);
  return '_'.repeat(longest + 1);
}

/**
 * Runs the three steps (see the top of this file) on `conn`: the valid rows go to `sink`, the
 * rejected ones to `rejectedPath`. Returns the counts.
 */
export async function runChecked(conn: DuckDBConnection, src: CheckedSource, run: CheckedRun): Promise<CheckedCounts> {
  const payloads = join(run.dir, 'rejected-rows.jsonl');
  const collector = rejectCollector(conn, payloads);
  let valid: number;
  try {
    if (run.pass) valid = await run.pass(checkedSql(src));
    else valid = Number((await conn.runAndReadAll(run.sink(checkedSql(src)))).getRows()[0]?.[0] ?? 0);
  } finally {
    collector.close();
  }
  const bad = collector.count();
  const unreadable = Number((await one(conn, 'SELECT count(DISTINCT line) AS n FROM rejects_main'))['n']);
  const before = run.rejectedBefore?.rows ?? 0;
  if (bad + unreadable + before === 0) return { read: valid, valid, rejected: 0 };
  await conn.run(`CREATE TEMP TABLE rejected (line BIGINT, reasons VARCHAR[], raw VARCHAR)`);
  if (bad > 0) {
    await conn.run(`CREATE TEMP TABLE payloads AS SELECT * FROM read_json(${sqlString(payloads)}, format='newline_delimited', columns={h: 'VARCHAR', k: 'VARCHAR', r: 'VARCHAR[]'}, maximum_object_size=268435456)`);
    // Numbering: the serial scan keeps only the rows whose hash is a rejected row's; the raw text
    // decides. The hashes are unnested from one list so DuckDB estimates them as the smaller side
    // and builds its hash table on them (with a plain IN it built one on the whole file: 6x slower).
    const ord = `${src.internal ?? '_'}ord`;
    const named = `${src.internal ?? '_'}numbered(${[...src.readerColumns, ord].map(sqlIdent).join(', ')})`;
    await conn.run(`CREATE TEMP TABLE numbered AS SELECT ${sqlIdent(ord)} AS _line, ${src.raw} AS _key FROM ${src.reader('rejects_numbered')} WITH ORDINALITY AS ${named}
      WHERE (${src.hash}) IN (SELECT unnest(list(DISTINCT h::UBIGINT)) FROM payloads)`);
    if (!src.renumber) await shiftForReaderRejects(conn, 'numbered', 'rejects_numbered');
  }
  await src.renumber?.(conn, bad > 0 ? { numbered: 'numbered', numberingRejects: 'rejects_numbered', readerRejects: 'rejects_main' } : { readerRejects: 'rejects_main' });
  if (bad > 0) {
    // The k-th rejected row with a text gets the k-th line with that text (they are alike); a row the
    // serial scan did not see (the reader recovers from a broken quote differently) keeps line NULL.
    await conn.run(`INSERT INTO rejected SELECT n._line, p.r, p.k
      FROM (SELECT k, r, row_number() OVER (PARTITION BY k) AS i FROM payloads) p
      LEFT JOIN (SELECT _key, _line, row_number() OVER (PARTITION BY _key ORDER BY _line) AS i FROM numbered) n ON n._key = p.k AND n.i = p.i`);
  }
  if (unreadable > 0) {
    // DuckDB rejects a row with the wrong number of columns once per missing (or extra) column,
    // each saying "Expected Number of Columns: 6 Found: 3" (then 4, then 5): one reason per line
    // says the count the row has (the fewest found when short, the most when long).
    await conn.run(`INSERT INTO rejected SELECT line, list(DISTINCT reason ORDER BY reason), any_value(csv_line) FROM (
      SELECT line, csv_line, CASE WHEN expected IS NULL THEN 'unreadable line: ' || error_message
        ELSE 'unreadable line: expected ' || expected || ' columns, found ' || (CASE WHEN max(found) OVER w > expected THEN max(found) OVER w ELSE min(found) OVER w END) END AS reason
      FROM (SELECT line, csv_line, error_message,
          try_cast(regexp_extract(error_message, 'Expected Number of Columns: (\\d+) Found: \\d+', 1) AS INTEGER) AS expected,
          try_cast(regexp_extract(error_message, 'Expected Number of Columns: \\d+ Found: (\\d+)', 1) AS INTEGER) AS found
        FROM rejects_main)
      WINDOW w AS (PARTITION BY line, expected)) GROUP BY line`);
  }
  if (run.rejectedBefore) await conn.run(`INSERT INTO rejected SELECT line, reasons, raw FROM ${run.rejectedBefore.table}`);
  await conn.run(`COPY (SELECT line, reasons, raw FROM rejected ORDER BY line NULLS LAST) TO ${sqlString(run.rejectedPath)} (FORMAT json)`);
  return { read: valid + bad + unreadable + before, valid, rejected: bad + unreadable + before };
}
