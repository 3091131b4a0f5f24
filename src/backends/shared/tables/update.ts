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

/**
 * Checks the update's shape before the write starts. It runs for every update of a batch: no
 * closure or message is made unless it fails (a compiled handler's keepNames wrapped a per-call
 * closure in a naming call: 0.7 s of the csv-pipeline's update step, issue 15).
 */
export function validateUpdate(t: TableShape, input: UpdateInput): void {
  if (input === null || typeof input !== 'object') throw new ValidationError(`${where(t)} must be an object like { set: {...} }, not ${show(input)}.`);
  for (const k of Object.keys(input)) {
    if (!known.has(k)) throw new ValidationError(`${where(t)} has unknown field "${k}"; use set, add, remove and condition.`);
  }
  const seen = new Map<string, string>();
  const set = input.set ?? {};
  for (const attr of Object.keys(set)) {
    claim(t, seen, attr, 'set');
    if (set[attr] === undefined) throw new ValidationError(`${where(t)}: set.${attr} is undefined.`, { action: `To delete the attribute, use remove: ["${attr}"].` });
  }
  const add = input.add ?? {};
  for (const attr of Object.keys(add)) {
    claim(t, seen, attr, 'add');
    const value = add[attr];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`${where(t)}: add.${attr} = ${show(value)} must be a finite number.`);
  }
  if (input.remove !== undefined && !Array.isArray(input.remove)) throw new ValidationError(`${where(t)}: remove must be an array of attribute names.`);
  for (const attr of input.remove ?? []) {
    if (typeof attr !== 'string') throw new ValidationError(`${where(t)}: remove lists ${show(attr)}, which is not an attribute name.`);
    claim(t, seen, attr, 'remove');
  }
}

function where(t: TableShape): string {
  return `Update on table "${t.name}"`;
}

/** Notes that `clause` names `attr`: refused for a key attribute, or one another clause named. */
function claim(t: TableShape, seen: Map<string, string>, attr: string, clause: string): void {
  if (attr === t.partitionKey.name || attr === t.sortKey?.name) {
    throw new ValidationError(`${where(t)} cannot ${clause} "${attr}": it is a key attribute.`, { action: 'Delete the item and put it with the new key instead.' });
  }
  const other = seen.get(attr);
  if (other) throw new ValidationError(`${where(t)} names attribute "${attr}" in both ${other} and ${clause}; use one.`);
  seen.set(attr, clause);
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
