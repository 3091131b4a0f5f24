import { BatonError, serializeError } from '../../../core/errors.ts';
import type { BatchResultEntry } from '../../../ports/queues.ts';

/**
 * The result of a batch entry that threw: a Baton error (bad input, too large, stale receipt)
 * fails that entry alone; anything else (a storage failure) is rethrown so the whole batch's
 * transaction rolls back. Entry errors carry no stack: they describe the input, not a fault in
 * the code.
 */
export function failed<T>(index: number, err: unknown): BatchResultEntry<T> {
  if (!(err instanceof BatonError)) throw err;
  const { stack: _stack, ...error } = serializeError(err);
  return { index, ok: false, error };
}

/** One result per item, in order: `each` runs on every item, and one that throws a Baton error fails alone (failed). */
export function settleEach<I>(items: readonly I[], each: (item: I) => void): Array<BatchResultEntry<void>> {
  const results: Array<BatchResultEntry<void>> = new Array(items.length);
  for (let index = 0; index < items.length; index++) {
    try {
      each(items[index]!);
      results[index] = { index, ok: true, value: undefined };
    } catch (err) {
      results[index] = failed(index, err);
    }
  }
  return results;
}
