/**
 * Key attributes: reading them from an item or a key object, checking them against the table's key
 * schema as DynamoDB does (present, the declared type, no empty strings, byte limits), and the
 * values bound to the typed key columns.
 */
import { defaults } from '../../../core/defaults.ts';
import { show, ValidationError } from '../../../core/errors.ts';
import type { Item, Key, KeyType } from '../../../ports/tables.ts';
import type { TableShape } from './shape.ts';

/** The values of the key columns; `sk` is '' for a table without a sort key. */
export interface KeyValues {
  readonly pk: string | number;
  readonly sk: string | number;
}

type Role = 'partition' | 'sort';

const keyAction = (t: TableShape) => `Give every item and key the key attributes declared for table "${t.name}" in baton.config.ts.`;

/** Checks one key value; `what` says where it came from ('Item', 'Key', 'Query'). */
export function checkKeyValue(t: TableShape, what: string, role: Role, attr: { name: string; type: KeyType }, value: unknown): string | number {
  const where = `${what} for table "${t.name}"`;
  if (value === undefined) throw new ValidationError(`${where} is missing its ${role} key "${attr.name}" (${attr.type}).`, { action: keyAction(t) });
  if (attr.type === 'string') {
    if (typeof value !== 'string') {
      throw new ValidationError(`${where} has ${role} key "${attr.name}" = ${show(value)} (${typeName(value)}); expected a string.`, { action: keyAction(t) });
    }
    if (value === '') throw new ValidationError(`${where} has ${role} key "${attr.name}" = ""; key strings must not be empty (as in DynamoDB).`, { action: keyAction(t) });
    const limit = role === 'partition' ? defaults.tables.maxPartitionKeyBytes : defaults.tables.maxSortKeyBytes;
    if (value.length * 3 > limit) {
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes > limit) throw new ValidationError(`${where} has ${role} key "${attr.name}" of ${bytes} bytes; the limit is ${limit} bytes.`, { action: 'Use a shorter key.' });
    }
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${where} has ${role} key "${attr.name}" = ${show(value)} (${typeName(value)}); expected a finite number.`, { action: keyAction(t) });
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'non-finite number';
  return typeof value;
}

/** The key values of an item to be written. */
export function itemKey(t: TableShape, item: Item): KeyValues {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new ValidationError(`Item for table "${t.name}" must be a plain object, not ${show(item)}.`);
  }
  const pk = checkKeyValue(t, 'Item', 'partition', t.partitionKey, item[t.partitionKey.name]);
  const sk = t.sortKey ? checkKeyValue(t, 'Item', 'sort', t.sortKey, item[t.sortKey.name]) : '';
  return { pk, sk };
}

/** The key values of a key object, which must hold exactly the table's key attributes. */
export function keyValues(t: TableShape, key: Key, what = 'Key'): KeyValues {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    throw new ValidationError(`${what} for table "${t.name}" must be an object of its key attributes, not ${show(key)}.`);
  }
  for (const name of Object.keys(key)) {
    if (name !== t.partitionKey.name && name !== t.sortKey?.name) {
      throw new ValidationError(`${what} for table "${t.name}" has attribute "${name}", which is not one of its key attributes (${keyNames(t)}).`, {
        action: 'Pass only the key attributes, not the whole item.',
      });
    }
  }
  const pk = checkKeyValue(t, what, 'partition', t.partitionKey, key[t.partitionKey.name]);
  const sk = t.sortKey ? checkKeyValue(t, what, 'sort', t.sortKey, key[t.sortKey.name]) : '';
  return { pk, sk };
}

/** The key object for key values, as returned in stream records and lastEvaluatedKey. */
export function keyObject(t: TableShape, kv: KeyValues): Key {
  return t.sortKey ? { [t.partitionKey.name]: kv.pk, [t.sortKey.name]: kv.sk } : { [t.partitionKey.name]: kv.pk };
}

function keyNames(t: TableShape): string {
  return t.sortKey ? `${t.partitionKey.name}, ${t.sortKey.name}` : t.partitionKey.name;
}

/** A short description of an item's key for error messages: table "t", key {"id":"a"}. */
export function describeKey(t: TableShape, kv: KeyValues): string {
  return `table "${t.name}", key ${show(keyObject(t, kv), 120)}`;
}
