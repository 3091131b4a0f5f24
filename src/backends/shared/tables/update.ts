/**
 * Applies an update (DynamoDB's UpdateExpression, as a structured object) to the current item:
 * `set` replaces attributes, `add` adds to numbers (a missing attribute counts as 0), `remove`
 * deletes attributes. An absent item is created from its key, as UpdateItem does. Key attributes
 * cannot be touched, and one attribute may appear in only one of set, add and remove.
 */
import { show, ValidationError } from '../../../core/errors.ts';
import type { Item, UpdateInput } from '../../../ports/tables.ts';
import type { TableShape } from './shape.ts';
import { describeKey, keyObject, type KeyValues } from './keys.ts';

const known = new Set(['set', 'add', 'remove', 'condition']);

/** Checks the update's shape before the write starts. */
export function validateUpdate(t: TableShape, input: UpdateInput): void {
  const where = `Update on table "${t.name}"`;
  if (input === null || typeof input !== 'object') throw new ValidationError(`${where} must be an object like { set: {...} }, not ${show(input)}.`);
  for (const k of Object.keys(input)) {
    if (!known.has(k)) throw new ValidationError(`${where} has unknown field "${k}"; use set, add, remove and condition.`);
  }
  const seen = new Map<string, string>();
  const claim = (attr: string, clause: string) => {
    if (attr === t.partitionKey.name || attr === t.sortKey?.name) {
      throw new ValidationError(`${where} cannot ${clause} "${attr}": it is a key attribute.`, { action: 'Delete the item and put it with the new key instead.' });
    }
    const other = seen.get(attr);
    if (other) throw new ValidationError(`${where} names attribute "${attr}" in both ${other} and ${clause}; use one.`);
    seen.set(attr, clause);
  };
  for (const [attr, value] of Object.entries(input.set ?? {})) {
    claim(attr, 'set');
    if (value === undefined) throw new ValidationError(`${where}: set.${attr} is undefined.`, { action: `To delete the attribute, use remove: ["${attr}"].` });
  }
  for (const [attr, value] of Object.entries(input.add ?? {})) {
    claim(attr, 'add');
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`${where}: add.${attr} = ${show(value)} must be a finite number.`);
  }
  if (input.remove !== undefined && !Array.isArray(input.remove)) throw new ValidationError(`${where}: remove must be an array of attribute names.`);
  for (const attr of input.remove ?? []) {
    if (typeof attr !== 'string') throw new ValidationError(`${where}: remove lists ${show(attr)}, which is not an attribute name.`);
    claim(attr, 'remove');
  }
}

/**
 * The item after the update; the current item is not modified, unless `owned` says the caller
 * parsed it for this update alone (then it is updated in place: one copy of the item fewer).
 */
export function applyUpdate(t: TableShape, kv: KeyValues, current: Item | undefined, input: UpdateInput, owned = false): Item {
  const next: Item = current ? (owned ? current : { ...current }) : keyObject(t, kv);
  if (input.set) Object.assign(next, input.set);
  const add = input.add ?? {};
  for (const attr of Object.keys(add)) {
    const delta = add[attr]!;
    const value = next[attr];
    if (value !== undefined && typeof value !== 'number') {
      throw new ValidationError(`Cannot add to attribute "${attr}" on ${describeKey(t, kv)}: it holds ${show(value)}, not a number.`, {
        action: `Use set to replace it, or keep "${attr}" numeric.`,
      });
    }
    next[attr] = (value ?? 0) + delta;
  }
  for (const attr of input.remove ?? []) delete next[attr];
  return next;
}
