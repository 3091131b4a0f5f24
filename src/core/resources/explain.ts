/**
 * zod issues turned into Baton's field-by-field advice: the innermost field, the value given, and
 * what is allowed there (the shapes of a one-of field, the fields of an object with the closest to
 * a mistyped one, the values of an enum).
 */
import type { z } from 'zod';
import { ZodObject } from 'zod';
import { closest } from '../closest.ts';
import { renamesOf, schemaAt } from './shapes.ts';

export interface Problem {
  path: PropertyKey[];
  message: string;
}

type Issue = z.core.$ZodIssue;

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** The part of `input` at `path`, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function listOf(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? 'nothing');
}

/** What one branch of a plain union expects, when it failed on the value itself. */
function branchExpects(branch: readonly Issue[]): string | undefined {
  const [first] = branch;
  if (branch.length !== 1 || !first || first.path.length > 0) return undefined;
  if (first.code === 'invalid_type') return article(first.expected);
  if (first.code === 'invalid_value') return `one of ${first.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return first.message;
}

/** The problems behind one zod issue, at their full path below `base`. */
export function explainIssue(schema: z.ZodType, input: unknown, issue: Issue, base: readonly PropertyKey[]): Problem[] {
  const path = [...base, ...issue.path];
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const obj = schemaAt(schema, input, path);
      const allowed = obj instanceof ZodObject ? Object.keys(obj.shape as object) : [];
      const renamed = obj ? renamesOf(obj) : {};
      return issue.keys.map((key) => {
        if (renamed[key]) return { path: [...path, key], message: renamed[key].replaceAll('<value>', JSON.stringify(valueAt(input, [...path, key])) ?? '...') };
        const near = closest(key, allowed);
        const mean = near ? ` (did you mean "${near}"?)` : '';
        return { path: [...path, key], message: `unknown field${mean}; the fields allowed here are ${allowed.map((k) => `"${k}"`).join(', ') || 'none'}` };
      });
    }
    case 'invalid_union': {
      // A branch that got past the value's type (its errors lie deeper) is the one meant: report its errors.
      if (issue.message !== 'Invalid input') return [{ path, message: issue.message }];
      const meant = issue.errors.filter((b) => b.length > 0 && b.every((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
      if (meant.length === 1) return meant[0]!.flatMap((i) => explainIssue(schema, input, i, path));
      const expects = issue.errors.map(branchExpects);
      if (expects.every((e) => e !== undefined)) {
        const values = issue.errors.flatMap((b) => (b[0]?.code === 'invalid_value' ? b[0].values : [])).filter((v): v is string => typeof v === 'string');
        const near = typeof value === 'string' ? closest(value, values) : undefined;
        return [{ path, message: `expected ${listOf(expects as string[])}${near ? ` (did you mean "${near}"?)` : ''}` }];
      }
      return [{ path, message: issue.message }];
    }
    case 'invalid_value': {
      const strings = issue.values.filter((v): v is string => typeof v === 'string');
      const near = typeof value === 'string' ? closest(value, strings) : undefined;
      return [{ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${near ? ` (did you mean "${near}"?)` : ''}` }];
    }
    case 'too_small':
      return [{ path, message: issue.origin === 'array' ? `expected at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? `expected at least ${String(issue.minimum)} character(s)` : `expected at least ${String(issue.minimum)}` }];
    case 'too_big':
      return [{ path, message: issue.origin === 'array' ? `expected at most ${String(issue.maximum)} item(s)` : issue.origin === 'string' ? `expected at most ${String(issue.maximum)} character(s)` : `expected at most ${String(issue.maximum)}` }];
    case 'invalid_type':
      return [{ path, message: `expected ${article(issue.expected)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}
