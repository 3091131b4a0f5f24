/**
 * The dashboard server's HTTP plumbing: JSON replies, the error body every endpoint uses
 * ({ error: { type, message } }), a bounded JSON body reader and query-string readers that turn a
 * malformed filter into a ValidationError saying what, where and how to fix it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BatonError, NotFoundError, ValidationError, show } from '../../core/errors.ts';

/** An error that maps to an HTTP status of its own (403, 405). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The status and body of any thrown value: Baton's typed errors keep their message; anything else is a 500 without internals beyond its message. */
export function errorReply(err: unknown): { status: number; body: { error: { type: string; message: string } } } {
  if (err instanceof HttpError) return { status: err.status, body: { error: { type: err.type, message: err.message } } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: { type: err.name, message: err.message } } };
  if (err instanceof BatonError) {
    const status = err.name === 'ValidationError' || err.name === 'DefinitionError' || err.name === 'ConditionFailedError' || err.name === 'TooLargeError' ? 400 : 500;
    return { status, body: { error: { type: err.name, message: err.message } } };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { status: 500, body: { error: { type: e.name || 'Error', message: e.message } } };
}

/** Reads a JSON body of at most `maxBytes`; an empty body is `{}`. */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ValidationError(`The request body is over ${maxBytes} bytes.`, { action: 'Send a smaller JSON body.' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValidationError(`The request body is not JSON: ${(err as Error).message}.`, { action: 'Send a JSON object with content-type application/json.' });
  }
}

/** Reads query parameters, each checked, naming the endpoint in its errors. */
export class Query {
  constructor(
    private readonly params: URLSearchParams,
    private readonly where: string,
  ) {}

  string(name: string): string | undefined {
    const v = this.params.get(name);
    return v === null || v === '' ? undefined : v;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) throw new ValidationError(`${this.where}: ?${name}=${show(v)} is not one of ${values.join(', ')}.`, { action: `Pass one of them, or leave ${name} out.` });
    return v as T;
  }

  /** A whole number in [min, max]. */
  int(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ValidationError(`${this.where}: ?${name}=${show(v)} must be a whole number from ${min} to ${max}.`, { action: `Fix ${name}, or leave it out.` });
    }
    return n;
  }

  /** A time: epoch milliseconds, or an ISO-8601 date. */
  time(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(n)) throw new ValidationError(`${this.where}: ?${name}=${show(v)} is not a time.`, { action: 'Pass epoch milliseconds (e.g. 1767225600000) or an ISO-8601 date (2026-01-01T00:00:00Z).' });
    return n;
  }

  /** The page size: ?limit= from 1 to max, default `fallback`. */
  limit(fallback = 50, max = 500): number {
    return this.int('limit', 1, max) ?? fallback;
  }
}

/** Checks a JSON body is an object and hands its fields out typed, naming the endpoint in its errors. */
export class Body {
  readonly value: Record<string, unknown>;
  constructor(
    raw: unknown,
    private readonly where: string,
  ) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError(`${where}: the body must be a JSON object; got ${show(raw)}.`);
    this.value = raw as Record<string, unknown>;
  }

  boolean(name: string, fallback?: boolean): boolean {
    const v = this.value[name];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'boolean') throw new ValidationError(`${this.where}: field "${name}" must be true or false; got ${show(v)}.`);
    return v;
  }

  optionalString(name: string, maxLength = 1000): string | undefined {
    const v = this.value[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.length > maxLength) throw new ValidationError(`${this.where}: field "${name}" must be a string of at most ${maxLength} characters; got ${show(v)}.`);
    return v;
  }

  string(name: string, maxLength = 100_000): string {
    const v = this.optionalString(name, maxLength);
    if (v === undefined) throw new ValidationError(`${this.where}: field "${name}" is required (a string).`);
    return v;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    const v = this.value[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ValidationError(`${this.where}: field "${name}" must be a whole number from ${min} to ${max}; got ${show(v)}.`);
    return v;
  }

  stringArray(name: string, maxItems: number): string[] {
    const v = this.value[name];
    if (!Array.isArray(v) || v.length === 0 || v.length > maxItems || !v.every((x) => typeof x === 'string')) {
      throw new ValidationError(`${this.where}: field "${name}" must be an array of 1 to ${maxItems} strings; got ${show(v)}.`);
    }
    return v as string[];
  }
}
