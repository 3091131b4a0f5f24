/**
 * Conditions on the current item (DynamoDB's ConditionExpression, as a structured object): every
 * listed check must hold, else the write is refused with a ConditionFailedError that says which
 * check failed and what the item held.
 */
import { ConditionFailedError, show, ValidationError } from '../../../core/errors.ts';
import type { Condition, Item } from '../../../ports/tables.ts';
import type { TableShape } from './shape.ts';
import { deepEqual } from './json.ts';
import { describeKey, type KeyValues } from './keys.ts';

const known = new Set(['notExists', 'exists', 'equals']);

/** Checks the shape of a condition before the write starts. */
export function validateCondition(t: TableShape, condition: Condition): void {
  if (condition === null || typeof condition !== 'object') throw new ValidationError(`Condition for table "${t.name}" must be an object, not ${show(condition)}.`);
  for (const k of Object.keys(condition)) {
    if (!known.has(k)) throw new ValidationError(`Condition for table "${t.name}" has unknown field "${k}"; use notExists, exists or equals.`);
  }
  const { notExists, exists } = condition;
  if (notExists !== undefined && exists !== undefined && notExists === exists) {
    throw new ValidationError(`Condition for table "${t.name}" has notExists: ${notExists} and exists: ${exists}, which can never both hold.`);
  }
  const { equals } = condition;
  if (equals !== undefined && (equals === null || typeof equals !== 'object' || Array.isArray(equals))) {
    throw new ValidationError(`Condition for table "${t.name}": equals must be an object of attribute values, not ${show(equals)}.`);
  }
}

function failed(t: TableShape, kv: KeyValues, why: string): ConditionFailedError {
  return new ConditionFailedError(`Condition failed on ${describeKey(t, kv)}: ${why}.`, {
    action: 'Read the item again and decide whether to retry; another writer may have changed it.',
  });
}

/**
 * Throws a ConditionFailedError unless the condition holds for the current item (JSON, or undefined
 * when absent). `parsed` is that JSON parsed, when the caller has it already.
 */
export function checkCondition(t: TableShape, kv: KeyValues, condition: Condition, currentJson: string | undefined, parsed?: Item): void {
  const exists = currentJson !== undefined;
  if (condition.notExists === true && exists) throw failed(t, kv, 'the item already exists (condition notExists)');
  if (condition.notExists === false && !exists) throw failed(t, kv, 'the item does not exist (condition notExists: false)');
  if (condition.exists === true && !exists) throw failed(t, kv, 'the item does not exist (condition exists)');
  if (condition.exists === false && exists) throw failed(t, kv, 'the item already exists (condition exists: false)');
  if (!condition.equals) return;
  const current: Item = exists ? (parsed ?? (JSON.parse(currentJson) as Item)) : {};
  for (const [attr, expected] of Object.entries(condition.equals)) {
    const actual = current[attr];
    if (expected === undefined ? actual === undefined : deepEqual(actual, expected)) continue;
    const have = !exists ? 'the item does not exist' : actual === undefined ? `attribute "${attr}" is absent` : `attribute "${attr}" is ${show(actual)}`;
    const want = expected === undefined ? 'expected it to be absent' : `expected ${show(expected)}`;
    throw failed(t, kv, `${have}, ${want}`);
  }
}
