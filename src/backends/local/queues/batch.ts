import { BatonError, serializeError } from '../../../core/errors.ts';
import type { BatchResultEntry } from '../../../ports/queues.ts';

/**
 * Runs one entry of a batch: a Baton error (bad input, too large, stale receipt) fails that entry
 * alone; anything else (a storage failure) is rethrown so the whole batch's transaction rolls back.
 * Entry errors carry no stack: they describe the input, not a fault in the code.
 */
export function settle<T>(index: number, run: () => T): BatchResultEntry<T> {
  try {
    return { index, ok: true, value: run() };
  } catch (err) {
    if (!(err instanceof BatonError)) throw err;
    const { stack: _stack, ...error } = serializeError(err);
    return { index, ok: false, error };
  }
}
