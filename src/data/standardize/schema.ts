/**
 * A record schema declared once in TypeScript (a zod object of primitives) compiled to columns:
 * each with the DuckDB type it is stored as in Parquet and the check that yields a reason when a
 * value does not fit. Supported field types: string, number, int (`z.int()` or `.int()`),
 * boolean, timestamp (`z.iso.datetime()` or `z.date()`), date (`z.iso.date()`), enum, each
 * optionally `.optional()` / `.nullable()` (both allow the field to be missing or null).
 */
import type { z } from 'zod';
import { DefinitionError } from '../../core/errors.ts';

export type ColumnKind = 'string' | 'number' | 'int' | 'boolean' | 'timestamp' | 'date' | 'enum';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** DuckDB type of the Parquet column. */
  sqlType: string;
  /** Missing or null is allowed. */
  optional: boolean;
  /** For enums: the allowed values. */
  values?: readonly string[];
}

const sqlTypes: Record<ColumnKind, string> = { string: 'VARCHAR', number: 'DOUBLE', int: 'BIGINT', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', date: 'DATE', enum: 'VARCHAR' };

interface Introspect {
  _zod: { def: { type: string; innerType?: unknown } };
  format?: string | null;
  options?: readonly unknown[];
  shape?: Record<string, unknown>;
}

function kindOf(field: Introspect, where: string): { kind: ColumnKind; optional: boolean; values?: readonly string[] } {
  const type = field._zod.def.type;
  if (type === 'optional' || type === 'nullable' || type === 'default') {
    return { ...kindOf(field._zod.def.innerType as Introspect, where), optional: true };
  }
  if (type === 'string') {
    if (field.format === 'datetime') return { kind: 'timestamp', optional: false };
    if (field.format === 'date') return { kind: 'date', optional: false };
    return { kind: 'string', optional: false };
  }
  if (type === 'number') return { kind: field.format === 'safeint' || field.format === 'int64' || field.format === 'int32' ? 'int' : 'number', optional: false };
  if (type === 'bigint') return { kind: 'int', optional: false };
  if (type === 'boolean') return { kind: 'boolean', optional: false };
  if (type === 'date') return { kind: 'timestamp', optional: false };
  if (type === 'enum' && field.options?.every((o) => typeof o === 'string')) return { kind: 'enum', optional: false, values: field.options as string[] };
  throw new DefinitionError(`${where} has zod type "${type}", which standardize cannot store as a Parquet column.`, {
    action: 'Use string, number, int, boolean, iso.datetime, iso.date, date or enum (optionally .optional() or .nullable()).',
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
    return { name, kind: k.kind, sqlType: sqlTypes[k.kind], optional: k.optional, ...(k.values ? { values: k.values } : {}) };
  });
}
