/**
 * Calls a handler the way Lambda's Node.js runtime does and settles with its outcome:
 *   - the handler is called with (event, context, callback);
 *   - if it returns a promise (an async handler), the promise's outcome is the result, unless the
 *     callback (or context.succeed/fail/done) was called first;
 *   - otherwise the first call of the callback is the result (a callback-style handler); the
 *     runtime answers at that moment, as with `callbackWaitsForEmptyEventLoop = false`: timers the
 *     handler leaves behind keep running in the warm worker;
 *   - a handler with fewer than three parameters that returns neither a promise nor calls the
 *     callback synchronously ends with a null result, and a warning when it returned a value,
 *     because Lambda ignores a plain return value.
 * A synchronous throw is the handler's error. Only the first outcome counts.
 */
import type { Callback, Context } from 'aws-lambda';
import type { ContextInput } from './context.ts';
import { makeContext } from './context.ts';

export type AnyHandler = (event: unknown, context: Context, callback: Callback) => unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

export function callHandler(handler: AnyHandler, event: unknown, input: Omit<ContextInput, 'callback'>, warn: (message: string) => void): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const callback: Callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    const context = makeContext({ ...input, callback });
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (settled) return;
    if (isThenable(returned)) {
      returned.then(
        (value) => callback(null, value),
        (err: unknown) => callback((err ?? new Error('the handler rejected with no reason')) as Error),
      );
      return;
    }
    if (handler.length < 3) {
      if (returned !== undefined) warn(`The handler returned a value without being async; Lambda ignores it and returns null. Make the handler async, or call the callback with the result.`);
      callback(null, null);
    }
  });
}
