/** Helpers on items as JSON values. */
import { defaults } from '../../../core/defaults.ts';
import { TooLargeError, ValidationError } from '../../../core/errors.ts';
import type { Item } from '../../../ports/tables.ts';
import type { TableShape } from './shape.ts';
import { describeKey, type KeyValues } from './keys.ts';

/**
 * Equality of JSON values as DynamoDB compares attribute values: maps ignore key order, lists do
 * not. Attributes that are undefined count as absent.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

/**
 * The item as stored: its JSON text, at most `defaults.tables.maxItemBytes` bytes. Values JSON
 * cannot hold are treated as JSON.stringify treats them (undefined attributes are dropped).
 */
export function encodeItem(t: TableShape, kv: KeyValues, item: Item): string {
  let json: string;
  try {
    json = JSON.stringify(item);
  } catch (cause) {
    throw new ValidationError(`Item for ${describeKey(t, kv)} cannot be stored as JSON: ${(cause as Error).message}.`, {
      action: 'Use plain JSON values (strings, numbers, booleans, null, arrays, objects); convert BigInt and cyclic structures first.',
      cause,
    });
  }
  const max = defaults.tables.maxItemBytes;
  if (json.length * 3 > max) {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > max) {
      throw new TooLargeError(`Item for ${describeKey(t, kv)} is ${bytes} bytes as JSON; the limit is ${max} bytes.`, {
        action: 'Keep large values in an object (bucket) and store its key in the item.',
      });
    }
  }
  return json;
}
