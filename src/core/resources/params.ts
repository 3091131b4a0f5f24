import { z } from 'zod';
import type { ParamType } from './configs.ts';
import { define, type Resource } from './define.ts';

const paramPath = z.string().regex(/^(\/[A-Za-z0-9_.-]+)+$/, "use a path like '/app/ingest' of letters, digits, '_', '.', '-'");
const initial = z.union([
  z.string(),
  z.strictObject({ value: z.string(), type: z.enum(['String', 'StringList', 'SecureString']).optional(), description: z.string().optional() }),
]);

const options = z.strictObject({
  /** Parameters created under the path when they do not exist yet (never overwritten). */
  initial: z.record(z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'names are relative to the path'), initial).optional(),
});

export interface ParamsConfig {
  path: string;
  initial: Array<{ name: string; value: string; type: ParamType; description?: string }>;
}

export type ParamsOptions = z.input<typeof options>;
export type ParamsResource = Resource<'params', ParamsConfig>;

/** Declares a parameter namespace (SSM Parameter Store semantics) and its initial values. */
export function params(path: string, opts: ParamsOptions = {}): ParamsResource {
  const { name, options: o } = define('params', path, options, opts, paramPath);
  const init = Object.entries(o.initial ?? {}).map(([rel, v]) =>
    typeof v === 'string'
      ? { name: `${name}/${rel}`, value: v, type: 'String' as const }
      : { name: `${name}/${rel}`, value: v.value, type: v.type ?? 'String', ...(v.description !== undefined ? { description: v.description } : {}) },
  );
  return { kind: 'params', name, config: { path: name, initial: init } };
}
