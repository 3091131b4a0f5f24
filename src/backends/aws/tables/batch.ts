/**
 * batchWrite over TransactWriteItems, with per-request results and few requests.
 *
 * Every batchWrite call made in the same tick (a handler sending its chunks of 25 with
 * Promise.all) is written together: the requests are checked as on local (a bad one fails alone,
 * unsent), then sent in transactions of up to 100 actions (DynamoDB's limit) and about 4 MB.
 *
 *   wave        one action per item (a transaction may not touch an item twice): a later request
 *               on the same item waits for the next wave, so requests on one item apply in order
 *   cancelled   TransactionCanceledException says per action why: ConditionalCheckFailed (with
 *               the item, so the error is worded as on local) and ValidationError fail that request
 *               alone; TransactionConflict and throttling keep it; the kept actions are sent again
 *               in a new transaction, until one commits
 *   invalid     a ValidationException for the whole transaction (DynamoDB names no action): the
 *               actions are split in halves and sent again, until the invalid one stands alone
 *
 * Unlike local, a batch is not all-or-nothing on a storage failure: transactions that committed
 * before the failure stay written, and the call rejects.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteItemsCommand, type CancellationReason, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { defaults } from '../../../core/defaults.ts';
import { BatonError, serializeError, show, ThrottledError, TooLargeError, ValidationError, type SerializedError } from '../../../core/errors.ts';
import type { Condition, UpdateInput, WriteRequest } from '../../../ports/tables.ts';
import { validateCondition } from '../../shared/tables/conditions.ts';
import { itemKey, keyObject, keyValues, type KeyValues } from '../../shared/tables/keys.ts';
import { validateUpdate } from '../../shared/tables/update.ts';
import type { AwsContext } from '../context.ts';
import type { AwsTable } from './catalog.ts';
import { encodeItem, fromAttributes, isSizeRefusal, keyAttributes, tooLarge } from './codec.ts';
import { addGuards, conditionClauses, joinConditions, Placeholders, updateExpression } from './expressions.ts';
import { explainRefusal, plainUpdate } from './items.ts';
import { dynamo, sdkError, sleep } from './sdk.ts';

export type BatchResult = { index: number; ok: boolean; error?: SerializedError };

/** DynamoDB's limits for one TransactWriteItems request. */
const maxActions = 100;
const maxRequestBytes = 4_000_000;
const maxRetries = 10;

const shapes = 'must be one of { put: item }, { delete: key } or { update: key, set/add/remove }';

interface Action {
  t: AwsTable;
  kv: KeyValues;
  /** The item this action touches: physical table and key. */
  item: string;
  size: number;
  condition: Condition | undefined;
  update: UpdateInput | undefined;
  write: TransactWriteItem;
  done(result: { ok: true } | { ok: false; error: BatonError }): void;
}

interface Pending {
  actions: Action[];
  results: BatchResult[];
  resolve: (results: BatchResult[]) => void;
  reject: (err: unknown) => void;
}

export class BatchWriter {
  private pending: Pending[] = [];

  constructor(private readonly ctx: AwsContext) {}

  async write(t: AwsTable, requests: WriteRequest[]): Promise<BatchResult[]> {
    if (!Array.isArray(requests)) throw new ValidationError(`batchWrite on table "${t.name}": requests must be an array, not ${show(requests)}.`);
    if (requests.length > defaults.tables.maxBatchWrite) {
      throw new ValidationError(`batchWrite on table "${t.name}" has ${requests.length} requests; the limit is ${defaults.tables.maxBatchWrite}.`, {
        action: `Split the requests into batches of at most ${defaults.tables.maxBatchWrite}.`,
      });
    }
    const results: BatchResult[] = [];
    const actions: Action[] = [];
    requests.forEach((request, index) => {
      try {
        actions.push(this.action(t, request, index, (r) => (results[index] = r.ok ? { index, ok: true } : { index, ok: false, error: serializeError(r.error) })));
      } catch (err) {
        if (!(err instanceof BatonError)) throw err;
        results[index] = { index, ok: false, error: serializeError(err) };
      }
    });
    if (actions.length === 0) return results;
    return new Promise<BatchResult[]>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => void this.flush());
      this.pending.push({ actions, results, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const groups = this.pending;
    this.pending = [];
    try {
      let rest = groups.flatMap((g) => g.actions);
      while (rest.length > 0) {
        const wave: Action[] = [];
        const later: Action[] = [];
        const seen = new Set<string>();
        for (const a of rest) {
          if (seen.has(a.item)) later.push(a);
          else {
            seen.add(a.item);
            wave.push(a);
          }
        }
        await Promise.all(chunks(wave).map((chunk) => this.commit(chunk)));
        rest = later;
      }
    } catch (err) {
      for (const g of groups) g.reject(err);
      return;
    }
    for (const g of groups) g.resolve(g.results);
  }

  /** Sends the actions in one transaction until every one has committed or failed alone. */
  private async commit(chunk: Action[]): Promise<void> {
    let actions = chunk;
    for (let attempt = 0; actions.length > 0; attempt++) {
      try {
        await dynamo(this.ctx, 'batchWrite', `table "${actions[0]!.t.name}"`, () =>
          this.ctx.clients.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: actions.map((a) => a.write), ClientRequestToken: randomUUID() })),
        );
        for (const a of actions) a.done({ ok: true });
        return;
      } catch (err) {
        const raw = sdkError(err);
        if (raw?.name === 'TransactionCanceledException' && Array.isArray(raw.CancellationReasons)) {
          const reasons = raw.CancellationReasons as CancellationReason[];
          const kept = actions.filter((a, i) => !this.failedAlone(a, reasons[i]));
          if (kept.length === actions.length) {
            // Only conflicts or throttling: wait and try the same actions again.
            if (attempt >= maxRetries) throw new ThrottledError(`dynamodb batchWrite on table "${actions[0]!.t.name}" kept conflicting (${reasons.map((r) => r.Code).join(', ')}).`, { action: 'Retry after a pause.' });
            await sleep(Math.min(25 * 2 ** attempt, 1000));
          }
          actions = kept;
          continue;
        }
        if ((err instanceof ValidationError || err instanceof TooLargeError) && actions.length > 1) {
          const mid = Math.ceil(actions.length / 2);
          await this.commit(actions.slice(0, mid));
          await this.commit(actions.slice(mid));
          return;
        }
        if (err instanceof ValidationError || err instanceof TooLargeError) {
          const a = actions[0]!;
          a.done({ ok: false, error: isSizeRefusal(err.message) ? tooLarge(a.t, a.kv, undefined) : err });
          return;
        }
        throw err;
      }
    }
  }

  /** Marks the action failed when its cancellation reason is its own fault; true then. */
  private failedAlone(a: Action, reason: CancellationReason | undefined): boolean {
    const code = reason?.Code;
    if (!code || code === 'None' || code === 'TransactionConflict' || code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded' || code === 'RequestLimitExceeded') return false;
    if (code === 'ConditionalCheckFailed') {
      a.done({ ok: false, error: explainRefusal(a.t, a.kv, a.condition, a.update, reason.Item ? fromAttributes(reason.Item) : undefined) });
    } else if (code === 'ValidationError' && isSizeRefusal(reason.Message)) {
      a.done({ ok: false, error: tooLarge(a.t, a.kv, undefined) });
    } else {
      a.done({ ok: false, error: new ValidationError(`dynamodb batchWrite on table "${a.t.name}" was refused as invalid (${code}): ${reason.Message ?? 'no reason given'}`) });
    }
    return true;
  }

  /** One request as a transaction action, checked as local checks it (throws a BatonError). */
  private action(t: AwsTable, request: WriteRequest, index: number, done: Action['done']): Action {
    if (request === null || typeof request !== 'object') throw new ValidationError(`batchWrite request ${index} ${shapes}, not ${show(request)}.`);
    const kinds = (['put', 'delete', 'update'] as const).filter((k) => k in request);
    if (kinds.length !== 1) throw new ValidationError(`batchWrite request ${index} ${shapes}; it has ${kinds.length ? kinds.join(' and ') : 'none of them'}.`);
    const p = new Placeholders();
    const base = { t, done };
    if ('put' in request) {
      if (request.condition) validateCondition(t, request.condition);
      const kv = itemKey(t, request.put);
      const { attrs, size } = encodeItem(t, kv, request.put);
      const expr = joinConditions(conditionClauses(t, request.condition, p));
      const write: TransactWriteItem = { Put: { TableName: t.physical, Item: attrs, ...(expr ? { ConditionExpression: expr, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}), ...p.fields() } };
      return { ...base, kv, item: itemId(t, kv), size, condition: request.condition, update: undefined, write };
    }
    if ('delete' in request) {
      if (request.condition) validateCondition(t, request.condition);
      const kv = keyValues(t, request.delete);
      const expr = joinConditions(conditionClauses(t, request.condition, p));
      const write: TransactWriteItem = { Delete: { TableName: t.physical, Key: keyAttributes(keyObject(t, kv)), ...(expr ? { ConditionExpression: expr, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}), ...p.fields() } };
      return { ...base, kv, item: itemId(t, kv), size: 100, condition: request.condition, update: undefined, write };
    }
    const { update: key, ...raw } = request;
    validateUpdate(t, raw);
    if (raw.condition) validateCondition(t, raw.condition);
    const kv = keyValues(t, key);
    const input = plainUpdate(t, kv, raw);
    const update = updateExpression(input, p);
    const expr = joinConditions([...conditionClauses(t, input.condition, p), ...addGuards(input, p)]);
    const write: TransactWriteItem = {
      Update: {
        TableName: t.physical,
        Key: keyAttributes(keyObject(t, kv)),
        UpdateExpression: update,
        ...(expr ? { ConditionExpression: expr, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
        ...p.fields(),
      },
    };
    return { ...base, kv, item: itemId(t, kv), size: JSON.stringify(input).length + 100, condition: input.condition, update: input, write };
  }
}

function itemId(t: AwsTable, kv: KeyValues): string {
  return JSON.stringify([t.physical, kv.pk, kv.sk]);
}

/** Transactions of at most 100 actions and about 4 MB. */
function chunks(actions: Action[]): Action[][] {
  const out: Action[][] = [];
  let current: Action[] = [];
  let bytes = 0;
  for (const a of actions) {
    if (current.length === maxActions || (current.length > 0 && bytes + a.size > maxRequestBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(a);
    bytes += a.size + 200;
  }
  if (current.length) out.push(current);
  return out;
}
