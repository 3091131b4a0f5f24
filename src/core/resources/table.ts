import { z } from 'zod';
import type { TableConfig } from './configs.ts';
import { define, type Resource } from './define.ts';

const attrName = z.string().min(1).max(255);
const key = z.union([attrName, z.strictObject({ name: attrName, type: z.enum(['string', 'number']) })]);
const viewType = z.enum(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']);

const options = z.strictObject({
  /** The partition key: an attribute name (a string key) or { name, type }. */
  partitionKey: key,
  sortKey: key.optional(),
  /** true (NEW_AND_OLD_IMAGES) or a view type: every change is appended to the table's stream. */
  stream: z.union([z.boolean(), viewType]).optional(),
});

export type TableOptions = z.input<typeof options>;
export type TableResource = Resource<'table', TableConfig>;

function resolveKey(k: z.output<typeof key>) {
  return typeof k === 'string' ? { name: k, type: 'string' as const } : k;
}

/** Declares a table (DynamoDB semantics) with an optional change stream. */
export function table(name: string, opts: TableOptions): TableResource {
  const { name: n, options: o } = define('table', name, options, opts);
  const stream = o.stream === true ? 'NEW_AND_OLD_IMAGES' : o.stream === false ? undefined : o.stream;
  return {
    kind: 'table',
    name: n,
    config: {
      name: n,
      partitionKey: resolveKey(o.partitionKey),
      ...(o.sortKey ? { sortKey: resolveKey(o.sortKey) } : {}),
      ...(stream ? { stream: { viewType: stream } } : {}),
    },
  };
}
