/**
 * Items between Baton's plain JSON values and DynamoDB's attribute values. An item is first made
 * what local stores (its JSON: undefined attributes dropped, NaN as null, toJSON applied), so the
 * two backends hold the same item for the same input; then its size is counted as DynamoDB counts
 * it (attribute names plus values) against the 400 KB limit, before any request is sent.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { defaults } from '../../../core/defaults.ts';
import { TooLargeError, ValidationError } from '../../../core/errors.ts';
import type { Item, Key } from '../../../ports/tables.ts';
import { describeKey, type KeyValues } from '../../shared/tables/keys.ts';
import type { TableShape } from '../../shared/tables/shape.ts';

export type Attributes = Record<string, AttributeValue>;

/** The item as JSON would keep it, or a ValidationError worded as on local. */
export function plainItem(t: TableShape, kv: KeyValues, item: Item): Item {
  try {
    return JSON.parse(JSON.stringify(item)) as Item;
  } catch (cause) {
    throw new ValidationError(`Item for ${describeKey(t, kv)} cannot be stored as JSON: ${(cause as Error).message}.`, {
      action: 'Use plain JSON values (strings, numbers, booleans, null, arrays, objects); convert BigInt and cyclic structures first.',
      cause,
    });
  }
}

/**
 * Plain JSON values to attribute values (JSON has no sets or binary, so none are made). Numbers
 * are written as JS prints them: marshall refuses any beyond Number.MAX_SAFE_INTEGER (1e21, 2**60)
 * unless wrapped, while local stores every finite number; DynamoDB itself takes up to 1e125.
 */
export function toAttributes(value: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toValue(v);
  return out;
}

export function toValue(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return Number.isFinite(value) ? { N: String(value) } : { NULL: true };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) return { L: value.map((x) => (x === undefined ? { NULL: true } : toValue(x))) };
      return { M: toAttributes(value as Record<string, unknown>) };
    default:
      return marshall({ v: value }, { removeUndefinedValues: true, convertClassInstanceToMap: true }).v ?? { NULL: true };
  }
}

/** Numbers come back as JS numbers, as they went in (never wrapped). */
export function fromAttributes(attrs: Attributes): Item {
  return unmarshall(attrs, { wrapNumbers: (s: string) => Number(s) }) as Item;
}

function utf8(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** DynamoDB's documented size of a value: numbers about 1 byte per 2 significant digits + 1. */
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, x) => n + 1 + valueSize(x), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + utf8(k) + valueSize(x), 0);
  if (v.B !== undefined) return v.B.byteLength;
  return 0;
}

export function itemSize(attrs: Attributes): number {
  let n = 0;
  for (const [k, v] of Object.entries(attrs)) n += utf8(k) + valueSize(v);
  return n;
}

export function tooLarge(t: TableShape, kv: KeyValues, bytes: number | undefined): TooLargeError {
  const max = defaults.tables.maxItemBytes;
  return new TooLargeError(`Item for ${describeKey(t, kv)} is ${bytes === undefined ? 'over the limit' : `${bytes} bytes as DynamoDB counts them`}; the limit is ${max} bytes.`, {
    action: 'Keep large values in an object (bucket) and store its key in the item.',
  });
}

/** The attribute values of an item to be written, or TooLargeError before anything is sent. */
export function encodeItem(t: TableShape, kv: KeyValues, item: Item): { attrs: Attributes; size: number } {
  const attrs = toAttributes(plainItem(t, kv, item));
  const size = itemSize(attrs);
  if (size > defaults.tables.maxItemBytes) throw tooLarge(t, kv, size);
  return { attrs, size };
}

export function keyAttributes(key: Key): Attributes {
  return toAttributes(key);
}

/** DynamoDB's answer to an update that would make the item too large. */
export function isSizeRefusal(message: string | undefined): boolean {
  return /size.*(exceed|maximum|limit)|exceed.*size/i.test(message ?? '');
}
