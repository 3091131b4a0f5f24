/**
 * Single-item operations: put, get, update and delete, each one DynamoDB request. Input is checked
 * first with the same rules and words as local (keys, condition, update, size); a failed condition
 * comes back with the current item (ReturnValuesOnConditionCheckFailure: ALL_OLD), so the
 * ConditionFailedError says which check failed and what the item held, exactly as on local.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatonError, ConditionFailedError, ValidationError } from '../../../core/errors.ts';
import type { Condition, Item, Key, UpdateInput } from '../../../ports/tables.ts';
import { checkCondition, validateCondition } from '../../shared/tables/conditions.ts';
import { itemKey, keyObject, keyValues, type KeyValues } from '../../shared/tables/keys.ts';
import { applyUpdate, validateUpdate } from '../../shared/tables/update.ts';
import type { AwsContext } from '../context.ts';
import type { AwsTable } from './catalog.ts';
import { encodeItem, fromAttributes, isSizeRefusal, keyAttributes, plainItem, tooLarge, type Attributes } from './codec.ts';
import { addGuards, conditionClauses, joinConditions, Placeholders, updateExpression } from './expressions.ts';
import { dynamo, sdkName } from './sdk.ts';

/**
 * Why a write whose condition DynamoDB refused failed, from the item it returned: the user's
 * condition worded as local words it, else an add to a non-number (the add guard), else a plain
 * ConditionFailedError (the item changed between DynamoDB's check and this diagnosis).
 */
export function explainRefusal(t: AwsTable, kv: KeyValues, condition: Condition | undefined, input: UpdateInput | undefined, old: Item | undefined): BatonError {
  try {
    if (condition) checkCondition(t, kv, condition, old === undefined ? undefined : '{}', old);
    if (input) applyUpdate(t, kv, old, input);
  } catch (err) {
    if (err instanceof BatonError) return err;
    throw err;
  }
  return new ConditionFailedError(`Condition failed on table "${t.name}": DynamoDB refused the write.`, { action: 'Read the item again and decide whether to retry; another writer may have changed it.' });
}

/** The current item DynamoDB returned with a failed condition, if any. */
function returnedItem(err: unknown): Item | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const item = (e as { Item?: Record<string, AttributeValue> }).Item;
    if (item) return fromAttributes(item);
  }
  return undefined;
}

/** The update with its set values as JSON keeps them (as local stores them). */
export function plainUpdate(t: AwsTable, kv: KeyValues, input: UpdateInput): UpdateInput {
  return input.set ? { ...input, set: plainItem(t, kv, input.set) } : input;
}

export class ItemOps {
  constructor(private readonly ctx: AwsContext) {}

  async put(t: AwsTable, item: Item, condition: Condition | undefined): Promise<{ old?: Item }> {
    const kv = itemKey(t, item);
    const { attrs } = encodeItem(t, kv, item);
    if (condition) validateCondition(t, condition);
    const p = new Placeholders();
    const expr = joinConditions(conditionClauses(t, condition, p));
    const out = await this.write(t, kv, condition, undefined, () =>
      this.ctx.clients.dynamodb.send(
        new PutItemCommand({ TableName: t.physical, Item: attrs, ReturnValues: 'ALL_OLD', ...(expr ? { ConditionExpression: expr, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}), ...p.fields() }),
      ),
    );
    return out.Attributes ? { old: fromAttributes(out.Attributes) } : {};
  }

  async get(t: AwsTable, key: Key): Promise<Item | undefined> {
    const kv = keyValues(t, key);
    const out = await dynamo(this.ctx, 'get', `table "${t.name}"`, () =>
      this.ctx.clients.dynamodb.send(new GetItemCommand({ TableName: t.physical, Key: keyAttributes(keyObject(t, kv)), ConsistentRead: true })),
    );
    return out.Item ? fromAttributes(out.Item) : undefined;
  }

  async update(t: AwsTable, key: Key, raw: UpdateInput): Promise<Item> {
    const kv = keyValues(t, key);
    validateUpdate(t, raw);
    if (raw.condition) validateCondition(t, raw.condition);
    const input = plainUpdate(t, kv, raw);
    const p = new Placeholders();
    const update = updateExpression(input, p);
    const expr = joinConditions([...conditionClauses(t, input.condition, p), ...addGuards(input, p)]);
    const out = await this.write(t, kv, input.condition, input, () =>
      this.ctx.clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: t.physical,
          Key: keyAttributes(keyObject(t, kv)),
          ReturnValues: 'ALL_NEW',
          UpdateExpression: update,
          ...(expr ? { ConditionExpression: expr, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
          ...p.fields(),
        }),
      ),
    );
    return out.Attributes ? fromAttributes(out.Attributes) : keyObject(t, kv);
  }

  async delete(t: AwsTable, key: Key, condition: Condition | undefined): Promise<{ old?: Item }> {
    const kv = keyValues(t, key);
    if (condition) validateCondition(t, condition);
    const p = new Placeholders();
    const expr = joinConditions(conditionClauses(t, condition, p));
    const out = await this.write(t, kv, condition, undefined, () =>
      this.ctx.clients.dynamodb.send(
        new DeleteItemCommand({ TableName: t.physical, Key: keyAttributes(keyObject(t, kv)), ReturnValues: 'ALL_OLD', ...(expr ? { ConditionExpression: expr, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}), ...p.fields() }),
      ),
    );
    return out.Attributes ? { old: fromAttributes(out.Attributes) } : {};
  }

  /** One write; a refused condition or an oversized update becomes local's error. */
  private async write<T extends { Attributes?: Attributes }>(t: AwsTable, kv: KeyValues, condition: Condition | undefined, input: UpdateInput | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await dynamo(this.ctx, 'write', `table "${t.name}"`, send);
    } catch (err) {
      if (sdkName(err) === 'ConditionalCheckFailedException') throw explainRefusal(t, kv, condition, input, returnedItem(err));
      if (err instanceof ValidationError && isSizeRefusal(err.message)) throw tooLarge(t, kv, undefined);
      throw err;
    }
  }
}
