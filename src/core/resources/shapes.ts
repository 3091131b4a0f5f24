/**
 * Fields that take one of several shapes: a trigger ({ queue } or { table }), a target, a topic
 * subscriber, a table key. zod's own union reports "Invalid input" at the union's path when no
 * branch fits; oneOf() instead picks the branch by the key that names it (`queue` in the object
 * makes it a queue trigger), validates that branch alone, so an error points at the innermost
 * bad field (`triggers.0.batchSize`), and when no branch is named says which shapes are allowed.
 *
 * define() reads the registry below to say which fields an object allows when it meets an unknown
 * one, and which option a renamed one became.
 */
import { z } from 'zod';

export interface Shape {
  /** What this shape is, for messages: 'a queue trigger'. */
  what: string;
  /** The value is this shape when it has this key (and `match`, if given, agrees). */
  key: string;
  match?: (value: Record<string, unknown>) => boolean;
  schema: z.ZodType;
  /** How the shape is written in messages; default `{ key, other?, ... }` from the schema. */
  written?: string;
}

export interface OneOf {
  /** What the field is: 'a trigger'. */
  what: string;
  shapes: readonly Shape[];
  /** Advice when the value has one of these keys but matches no shape (`bucket` in a trigger). */
  hints: Readonly<Record<string, string>>;
}

const oneOfs = new WeakMap<z.ZodType, OneOf>();
const renames = new WeakMap<z.ZodType, Readonly<Record<string, string>>>();

type Outputs<S extends readonly Shape[]> = z.output<S[number]['schema']>;
type Inputs<S extends readonly Shape[]> = z.input<S[number]['schema']>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The shape a value claims to be, by its naming key. */
export function pickShape(of: OneOf, value: unknown): Shape | undefined {
  if (!isRecord(value)) return undefined;
  return of.shapes.find((s) => s.key in value && (s.match?.(value) ?? true));
}

/** A field of one of several object shapes, told apart by a naming key. */
export function oneOf<const S extends readonly [Shape, ...Shape[]]>(what: string, shapes: S, hints: Record<string, string> = {}): z.ZodType<Outputs<S>, Inputs<S>> {
  const of: OneOf = { what, shapes, hints };
  const schema = z.unknown().transform((value, ctx) => {
    const shape = pickShape(of, value);
    if (!shape) {
      ctx.addIssue({ code: 'custom', message: expectedShapes(of, value) });
      return z.NEVER;
    }
    const parsed = shape.schema.safeParse(value);
    if (parsed.success) return parsed.data as Outputs<S>;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  });
  oneOfs.set(schema, of);
  return schema as unknown as z.ZodType<Outputs<S>, Inputs<S>>;
}

/**
 * Marks options that were renamed or moved: an object given `old` gets its advice (where
 * '<value>' stands for the value given) instead of a bare "unknown field". Returns the schema.
 */
export function withRenames<T extends z.ZodType>(schema: T, renamed: Record<string, string>): T {
  renames.set(schema, renamed);
  return schema;
}

export function oneOfOf(schema: z.ZodType): OneOf | undefined {
  return oneOfs.get(schema);
}

export function renamesOf(schema: z.ZodType): Readonly<Record<string, string>> {
  return renames.get(schema) ?? {};
}

/** `{ queue, batchSize?, ... }`: an object schema's fields, optional ones marked. */
export function writtenShape(schema: z.ZodType): string {
  const obj = unwrap(schema, undefined);
  if (!(obj instanceof z.ZodObject)) return '';
  const fields = Object.entries(obj.shape as Record<string, z.ZodType>).map(([k, s]) => (s.def.type === 'optional' ? `${k}?` : k));
  return `{ ${fields.join(', ')} }`;
}

function expectedShapes(of: OneOf, value: unknown): string {
  const list = of.shapes.map((s) => `${s.what} ${s.written ?? writtenShape(s.schema)}`.trim());
  const alternatives = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list[0];
  const hint = isRecord(value) ? Object.keys(value).map((k) => of.hints[k]).find((h) => h !== undefined) : typeof value === 'string' ? of.hints['(string)'] : undefined;
  const got = isRecord(value) ? ` (this one has ${Object.keys(value).map((k) => `"${k}"`).join(', ') || 'no fields'})` : '';
  return `expected ${of.what}: ${alternatives}${got}${hint ? `; ${hint.replaceAll('<value>', String(value))}` : ''}`;
}

/**
 * The schema beneath optional/default/nullable wrappers and transforms (their input side); for a
 * oneOf, the shape `value` claims, when it claims one.
 */
export function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 20; i++) {
    const of = oneOfs.get(s);
    if (of) {
      const shape = pickShape(of, value);
      if (!shape) return s;
      s = shape.schema;
      continue;
    }
    const def = s.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'prefault') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
  return s;
}

/** The object schema at `path` below `root` (walking the input value beside it), if it is one. */
export function schemaAt(root: z.ZodType, input: unknown, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s = unwrap(root, input);
  let v: unknown = input;
  for (const key of path) {
    v = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[key] : undefined;
    if (s instanceof z.ZodObject) {
      const next = (s.shape as Record<string, z.ZodType>)[String(key)];
      if (!next) return undefined;
      s = unwrap(next, v);
    } else if (s instanceof z.ZodArray) s = unwrap(s.element as z.ZodType, v);
    else if (s instanceof z.ZodRecord) s = unwrap(s.valueType as z.ZodType, v);
    else return undefined;
  }
  return s;
}
