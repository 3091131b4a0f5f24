/**
 * Baton's typed errors. Every backend turns its own failures into these (one shared place, so a
 * user sees the same message on SQLite and on AWS). Each error says what happened and, where it
 * helps, what to do about it. Errors serialize to plain objects and back so they survive a
 * checkpoint, a queue message or a worker boundary.
 */

export interface BatonErrorInit {
  /** What to do about it, shown after the message. */
  action?: string;
  cause?: unknown;
}

export interface SerializedError {
  name: string;
  code: string;
  message: string;
  action?: string;
  stack?: string;
}

export class BatonError extends Error {
  readonly code: string = 'BATON_ERROR';
  readonly action: string | undefined;

  constructor(message: string, init: BatonErrorInit = {}) {
    super(init.action ? `${message} ${init.action}` : message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.action = init.action;
  }

  toJSON(): SerializedError {
    return { name: this.name, code: this.code, message: this.message, ...(this.action ? { action: this.action } : {}), ...(this.stack ? { stack: this.stack } : {}) };
  }
}

/** A resource definition in baton.config.ts is invalid. */
export class DefinitionError extends BatonError {
  override readonly code = 'INVALID_DEFINITION';
}

/** An argument to an operation is invalid (bad key, oversized message, malformed expression). */
export class ValidationError extends BatonError {
  override readonly code = 'INVALID_INPUT';
}

/** The named resource (queue, bucket, table, topic, parameter, object, item) does not exist. */
export class NotFoundError extends BatonError {
  override readonly code = 'NOT_FOUND';
}

/** A write's condition did not hold (conditional put, compare-and-set on a version). */
export class ConditionFailedError extends BatonError {
  override readonly code = 'CONDITION_FAILED';
}

/** A receipt handle or lease token is no longer the current one: another receive owns the message. */
export class StaleReceiptError extends BatonError {
  override readonly code = 'STALE_RECEIPT';
}

/** A value is larger than the limit for its kind. */
export class TooLargeError extends BatonError {
  override readonly code = 'TOO_LARGE';
}

/** The store was closed, or cannot be opened. */
export class StoreError extends BatonError {
  override readonly code = 'STORE_ERROR';
}

/** The service asked to slow down (throttling, a rate or capacity limit): safe to retry after a pause. */
export class ThrottledError extends BatonError {
  override readonly code = 'THROTTLED';
}

/** The credentials in use may not do this, or there are none. */
export class AccessDeniedError extends BatonError {
  override readonly code = 'ACCESS_DENIED';
}

const known = { BatonError, DefinitionError, ValidationError, NotFoundError, ConditionFailedError, StaleReceiptError, TooLargeError, StoreError, ThrottledError, AccessDeniedError };

/** Turns any thrown value into a plain object that can be stored or sent. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof BatonError) return err.toJSON();
  if (err instanceof Error) {
    const raw = (err as Error & { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : 'ERROR';
    return { name: err.name, code, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  return { name: 'Error', code: 'ERROR', message: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err) };
}

/** Rebuilds an error from its serialized form, keeping the Baton class where one matches. */
export function deserializeError(data: SerializedError): Error {
  const Ctor = (known as Record<string, typeof BatonError>)[data.name];
  const err = Ctor ? new Ctor(data.message) : new Error(data.message);
  if (!Ctor) err.name = data.name;
  if (data.stack) err.stack = data.stack;
  return err;
}

/** Quotes a user-supplied value for an error message, cut to a readable length. */
export function show(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
