import { z } from 'zod';
import { parseDuration } from '../duration.ts';
import { DefinitionError, show } from '../errors.ts';
import { parseSize } from '../size.ts';
import { explainIssue, valueAt } from './explain.ts';

/** A declared resource: its kind, its name, and its validated, resolved configuration. */
export interface Resource<K extends string = string, C = unknown> {
  readonly kind: K;
  readonly name: string;
  readonly config: C;
}

const durationAdvice = "expected a duration: milliseconds or a string like '500ms', '30s', '15m', '2h'";
const sizeAdvice = "expected a size: bytes or a string like '64KB', '256KiB', '1MiB'";

/** A duration field: milliseconds or a human string ('30s'), resolved to milliseconds. */
export function durationField(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z.union([z.number(), z.string()], { error: durationAdvice }).transform((value, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: durationAdvice });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} ms and ${max} ms` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A size field: bytes or a human string ('256KiB'), resolved to bytes. */
export function sizeField(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z.union([z.number(), z.string()], { error: sizeAdvice }).transform((value, ctx) => {
    let bytes: number;
    try {
      bytes = parseSize(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: sizeAdvice });
      return z.NEVER;
    }
    if (bytes < min || bytes > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max} bytes` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** Resource names: letters, digits, '-', '_' and '.', starting with a letter or digit, at most 80. */
export const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, "use letters, digits, '.', '-' and '_', starting with a letter or digit, at most 80 characters");

/**
 * Validates a resource's options and returns them resolved, or throws a DefinitionError that names
 * the resource, each bad field (the innermost one), the value given and what is allowed.
 */
export function define<S extends z.ZodType>(kind: string, name: unknown, schema: S, options: unknown, nameRule: z.ZodType<string> = nameSchema): { name: string; options: z.output<S> } {
  const n = nameRule.safeParse(name);
  if (!n.success) {
    throw new DefinitionError(`${kind} ${show(name)}: the name is invalid: ${n.error.issues[0]?.message ?? 'invalid'}.`);
  }
  const input = options ?? {};
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => explainIssue(schema, input, issue, []));
    const lines = problems.map(({ path, message }) => {
      const field = path.length ? path.map(String).join('.') : '(options)';
      const given = valueAt(input, path);
      return given === undefined ? `field "${field}" is missing: ${message}` : `field "${field}" = ${show(given)}: ${message}`;
    });
    throw new DefinitionError(`${kind} "${n.data}" is invalid: ${[...new Set(lines)].join('; ')}.`, { action: `Fix the ${kind} "${n.data}" in baton.config.ts.` });
  }
  return { name: n.data, options: parsed.data };
}
