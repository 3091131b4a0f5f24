/**
 * Invocation errors in Lambda's shape. A handler's own error keeps its name as `errorType` and its
 * message untouched (as Lambda reports it); errors raised by the runtime itself carry a
 * 'Runtime.*' or 'Sandbox.*' type and a message that says what happened and what to do.
 */
import type { InvocationError } from '../../ports/executor.ts';

/** Lambda's message for a timed-out invocation: `Task timed out after 2.00 seconds`. */
export function timeoutMessage(timeoutMs: number): string {
  return `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
}

/** An error raised by the runtime (not thrown by the handler). */
export function runtimeError(errorType: string, message: string, code = 'RUNTIME_ERROR', stack?: string): InvocationError {
  return { errorType, errorMessage: message, name: errorType, code, message, ...(stack ? { stack } : {}) };
}

function isErrorLike(v: unknown): v is Error {
  if (v instanceof Error) return true;
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.message === 'string' && typeof o.stack === 'string';
}

/**
 * What a handler threw (or passed to its callback), as Lambda reports it: an Error keeps its name
 * and message; any other value reports its `typeof` as the type. Lambda prints a thrown object as
 * '[object Object]'; Baton shows its JSON instead, which says more.
 */
export function toInvocationError(thrown: unknown): InvocationError {
  if (isErrorLike(thrown)) {
    const name = typeof thrown.name === 'string' && thrown.name ? thrown.name : 'Error';
    const message = typeof thrown.message === 'string' ? thrown.message : String(thrown.message);
    const raw = (thrown as { code?: unknown }).code;
    return { errorType: name, errorMessage: message, name, code: typeof raw === 'string' ? raw : 'HANDLER_ERROR', message, ...(typeof thrown.stack === 'string' ? { stack: thrown.stack } : {}) };
  }
  const errorType = thrown === null ? 'object' : typeof thrown;
  let message: string;
  if (typeof thrown === 'string') message = thrown;
  else {
    try {
      message = JSON.stringify(thrown) ?? String(thrown);
    } catch {
      message = String(thrown);
    }
  }
  return { errorType, errorMessage: message, name: errorType, code: 'HANDLER_ERROR', message };
}

/**
 * An invocation error as an Error (name = errorType, same message and stack), for stores that
 * record errors with serializeError: a queue's release, a dead-lettered message's last error.
 */
export function invocationErrorToError(e: Pick<InvocationError, 'errorType' | 'errorMessage' | 'stack'>): Error {
  const err = new Error(e.errorMessage);
  err.name = e.errorType;
  if (e.stack) err.stack = e.stack;
  return err;
}
