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
