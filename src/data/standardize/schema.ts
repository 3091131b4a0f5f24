/**
 * A record schema declared once in TypeScript (a zod object of primitives) compiled to columns:
 * each with the DuckDB type it is stored as in Parquet and what the bulk path needs to accept
 * exactly what the schema's `safeParse` accepts and store exactly the value it outputs (the rule:
 * strict, as zod; coercion only where the schema states it).
 *
 * Supported field types: string, number, int (`z.int()`, `.int()`, `z.int32()`, `z.uint32()`),
 * boolean, timestamp (`z.iso.datetime(...)`), date (`z.iso.date()`), enum of strings, and
 * `z.coerce.number()` (with `.int()`), each optionally `.optional()` (may be missing),
 * `.nullable()` (may be null), `.nullish()` or `.default(value)` (missing stores the value).
 * Anything the bulk path could not check exactly as zod does is refused with a DefinitionError
 * naming it: other checks (`.min()`, `.regex()`, `z.email()`, ...), other coercions, `z.date()`
 * and `z.bigint()` (no JSON value is a Date or a BigInt, so zod would reject every record).
 */
import type { z } from 'zod';
import { DefinitionError } from '../../core/errors.ts';

export type ColumnKind = 'string' | 'number' | 'int' | 'boolean' | 'timestamp' | 'date' | 'enum';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** DuckDB type of the Parquet column. */
  sqlType: string;
  /** NULL may be stored: the field may be missing or null (or both). CSV has no other notion. */
  optional: boolean;
  /** A missing field: rejected, stored as NULL, or stored as `default`. @defaultValue 'reject' */
  missing?: 'reject' | 'null' | 'default';
  /** A JSON null: rejected or stored as NULL. @defaultValue 'reject' */
  null?: 'reject' | 'null';
  /** The value `.default()` stores for a missing field. */
  default?: string | number | boolean;
  /** `z.coerce.number()`: the value is converted as JavaScript's Number() converts it. */
  coerce?: boolean;
  /** Timestamps and dates: the schema's own regular expression (zod's), which the text must match. */
  pattern?: string;
  /** Numbers: the range of the number format (int: safe integers). */
  min?: number;
  max?: number;
  /** For enums: the allowed values. */
  values?: readonly string[];
}

const sqlTypes: Record<ColumnKind, string> = { string: 'VARCHAR', number: 'DOUBLE', int: 'BIGINT', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', date: 'DATE', enum: 'VARCHAR' };

/** zod's number formats and their ranges (zod's NUMBER_FORMAT_RANGES). */
const numberFormats: Record<string, { kind: 'int' | 'number'; min: number; max: number }> = {
  safeint: { kind: 'int', min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  int32: { kind: 'int', min: -2147483648, max: 2147483647 },
  uint32: { kind: 'int', min: 0, max: 4294967295 },
  float32: { kind: 'number', min: -3.4028234663852886e38, max: 3.4028234663852886e38 },
  float64: { kind: 'number', min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
};

interface Introspect {
  _zod: { def: { type: string; innerType?: unknown; coerce?: boolean; defaultValue?: unknown; checks?: Array<{ _zod: { def: { check: string; format?: string } } }> }; pattern?: RegExp };
  format?: string | null;
  options?: readonly unknown[];
  shape?: Record<string, unknown>;
}

type Kind = Omit<Column, 'name' | 'sqlType' | 'optional'>;

function unsupported(where: string, what: string): DefinitionError {
  return new DefinitionError(`${where} uses ${what}, which standardize's bulk path cannot check exactly as zod does.`, {
    action: 'Use string, number, int, boolean, iso.datetime, iso.date, enum or coerce.number (optionally .optional(), .nullable(), .nullish() or .default()), and check other rules after standardize.',
  });
}

function kindOf(field: Introspect, where: string): Kind {
  const def = field._zod.def;
  const type = def.type;
  if (type === 'optional' || type === 'nullable' || type === 'default') {
    const inner = kindOf(def.innerType as Introspect, where);
    if (type === 'nullable') return { ...inner, null: 'null' };
    if (type === 'optional') return { ...inner, missing: inner.missing === 'default' ? 'default' : 'null' };
    const value = def.defaultValue;
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw unsupported(where, `a default of type ${typeof value}`);
    return { ...inner, missing: 'default', default: value as string | number | boolean };
  }
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const other = checks.find((c) => c.check !== 'number_format');
  if (other) throw unsupported(where, `the check "${other.check}"`);
  if (def.coerce && type !== 'number') throw unsupported(where, `z.coerce.${type}()`);
  if (type === 'string') {
    if (field.format === 'datetime' || field.format === 'date') {
      const pattern = field._zod.pattern?.source;
      if (!pattern) throw unsupported(where, `an ${field.format} format without a pattern`);
      return { kind: field.format === 'date' ? 'date' : 'timestamp', pattern };
    }
    if (field.format) throw unsupported(where, `the string format "${field.format}"`);
    return { kind: 'string' };
  }
  if (type === 'number') {
    const format = checks.find((c) => c.format)?.format ?? field.format ?? 'float64';
    const f = numberFormats[format];
    if (!f) throw unsupported(where, `the number format "${format}"`);
    return { kind: f.kind, min: f.min, max: f.max, ...(def.coerce ? { coerce: true } : {}) };
  }
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'enum' && field.options?.every((o) => typeof o === 'string')) return { kind: 'enum', values: field.options as string[] };
  if (type === 'date') throw unsupported(where, 'z.date() (no JSON value is a Date; use z.iso.datetime() for ISO text)');
  if (type === 'bigint') throw unsupported(where, 'z.bigint() (no JSON value is a BigInt; use z.int())');
  throw new DefinitionError(`${where} has zod type "${type}", which standardize cannot store as a Parquet column.`, {
    action: 'Use string, number, int, boolean, iso.datetime, iso.date or enum (optionally .optional() or .nullable()).',
  });
}

/** Compiles a zod object schema to columns, in the schema's field order. */
export function compileSchema(schema: z.ZodType): Column[] {
  const s = schema as unknown as Introspect;
  if (s._zod.def.type !== 'object' || !s.shape) {
    throw new DefinitionError(`A standardize schema must be a zod object (z.object({...})); got zod type "${s._zod.def.type}".`, { action: 'Declare the record as z.object({ field: z.string(), ... }).' });
  }
  return Object.entries(s.shape).map(([name, field]) => {
    const k = kindOf(field as Introspect, `field "${name}"`);
    const optional = (k.missing ?? 'reject') !== 'reject' || k.null === 'null';
    return { name, sqlType: sqlTypes[k.kind], optional, ...k };
  });
}
