/**
 * Asynchronous invoke, with Lambda's semantics, kept durable in an internal queue
 * (defaults.fn.asyncQueue, 'baton-async', visible in `baton queues`):
 *
 *   invokeAsync   validates the function, enqueues { fn, requestId, event } and returns at once
 *                 (Lambda's 202), so an event is never lost to a crash or a restart.
 *   drainAsync    receives due events and runs each through invokeSync (trigger 'async', or the
 *                 one invokeAsync was given, e.g. 'schedule:nightly'). An
 *                 attempt is counted only when the handler gets a worker slot. On failure (error
 *                 or timeout), while attempts <= fn.retries, the event goes back with a backoff of
 *                 asyncRetryBaseMs * 2^(attempt-1) (1 min, then 2 min, as Lambda) on the backend's
 *                 clock; after the last attempt the destination record goes to fn.onFailure (a
 *                 queue or a topic) and the event is deleted; with no destination it is dropped,
 *                 as Lambda drops it, and its runs keep the story. A run stopped by a cancel
 *                 request (cancel.ts) is not retried: the user asked to stop it; it goes to the
 *                 on-failure destination at once, with the cancellation as its error.
 *
 * While an event runs, its lease is renewed every half lease, so a long handler is not picked up
 * twice; if the process dies, the lease lapses and the event runs again (the attempt counted).
 * If sending the destination record fails, the event stays queued and the next drain sends it
 * without running the handler again. All retries reuse the first attempt's request id, as Lambda.
 */
import { randomUUID } from 'node:crypto';
import { defaults } from '../../core/defaults.ts';
import { BatonError, TooLargeError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { ReceivedMessage } from '../../ports/queues.ts';
import { invocationErrorToError } from '../executor/errors.ts';
import { findFn, type InvokeDeps } from './deps.ts';
import { failureRecord, sendToDestination } from './destination.ts';
import { invokeSync } from './sync.ts';

export interface AsyncOptions {
  /** @defaultValue defaults.fn.asyncQueue */
  queue?: string;
  /** Backoff before the first retry; doubles for the next. @defaultValue defaults.fn.asyncRetryBaseMs (1 min) */
  retryBaseMs?: number;
  /** Lease on a running event, renewed every half. @defaultValue defaults.fn.asyncLeaseMs */
  leaseMs?: number;
}

interface LastError {
  errorType: string;
  errorMessage: string;
  stack?: string;
}

interface PendingEvent {
  fn: string;
  requestId: string;
  /** What queued it, shown as the runs' trigger; absent means 'async'. */
  trigger?: string;
  event: unknown;
  enqueuedAt: number;
}

export type AsyncOutcome = 'ok' | 'retry' | 'failed' | 'skipped';

export interface DrainResult {
  /** Events taken from the queue. */
  received: number;
  ok: number;
  /** Failed and queued again with a backoff. */
  retried: number;
  /** Failed after their last attempt (sent to the on-failure destination, if any). */
  failed: number;
}

const declared = new WeakMap<Backend, Set<string>>();

async function ensureQueue(backend: Backend, name: string): Promise<void> {
  const seen = declared.get(backend) ?? new Set<string>();
  declared.set(backend, seen);
  if (seen.has(name)) return;
  await backend.queues.declare({ name, visibilityTimeoutMs: defaults.fn.asyncLeaseMs, retentionMs: defaults.queue.maxRetentionMs, delayMs: 0, maxMessageSize: defaults.queue.maxMessageSize });
  seen.add(name);
}

/** Queues an event for `fnName` and returns its request id (what Lambda's 202 response carries). */
export async function invokeAsync(deps: InvokeDeps, fnName: string, event: unknown, options: AsyncOptions & { requestId?: string; trigger?: string } = {}): Promise<{ requestId: string; messageId: string }> {
  const fn = findFn(deps, fnName);
  const queue = options.queue ?? defaults.fn.asyncQueue;
  await ensureQueue(deps.backend, queue);
  const pending: PendingEvent = { fn: fn.name, requestId: options.requestId ?? randomUUID(), ...(options.trigger ? { trigger: options.trigger } : {}), event: event ?? null, enqueuedAt: deps.backend.clock.now() };
  let body: string;
  try {
    body = JSON.stringify(pending);
  } catch (err) {
    throw new BatonError(`fn "${fn.name}": the async event cannot be serialized to JSON (${(err as Error).message}).`, { action: 'Pass plain data: Lambda events are JSON.' });
  }
  try {
    const { messageId } = await deps.backend.queues.send(queue, { body });
    return { requestId: pending.requestId, messageId };
  } catch (err) {
    if (err instanceof TooLargeError) {
      throw new TooLargeError(`fn "${fn.name}": the async event is ${Buffer.byteLength(body)} bytes with its envelope; asynchronous invocations take at most ${defaults.queue.maxMessageSize} bytes, as on Lambda.`, { action: 'Put the payload in an object and pass its key, or invoke synchronously.', cause: err });
    }
    throw err;
  }
}

/** Renews a lease every half lease until stopped; resolves once stopped. */
function heartbeat(backend: Backend, queue: string, receipt: string, leaseMs: number, signal: AbortSignal): Promise<void> {
  const loop = async () => {
    for (;;) {
      await backend.clock.sleep(leaseMs / 2, signal);
      await backend.queues.changeVisibility(queue, receipt, leaseMs);
    }
  };
  return loop().catch(() => undefined);
}

async function processOne(deps: InvokeDeps, msg: ReceivedMessage, queue: string, base: number, leaseMs: number): Promise<AsyncOutcome> {
  const { backend } = deps;
  const pending = JSON.parse(msg.body) as PendingEvent;
  let fn: FnConfig;
  try {
    fn = findFn(deps, pending.fn);
  } catch (err) {
    // The function is gone from the app: keep the event (nothing is lost) and look again later.
    await backend.queues.release(queue, msg.receiptHandle, { error: err, delayMs: base });
    return 'skipped';
  }
  const maxAttempts = fn.retries + 1;
  const stop = new AbortController();
  const beat = heartbeat(backend, queue, msg.receiptHandle, leaseMs, stop.signal);
  try {
    let attempts = msg.attempts;
    let lastError: LastError = msg.lastError
      ? { errorType: msg.lastError.name, errorMessage: msg.lastError.message, ...(msg.lastError.stack ? { stack: msg.lastError.stack } : {}) }
      : { errorType: 'Runtime.ExitError', errorMessage: `fn "${fn.name}": the process running the last attempt stopped before it finished (its lease lapsed).` };
    if (attempts < maxAttempts) {
      let counting: Promise<void> | undefined;
      const inv = await invokeSync(deps, fn.name, pending.event, {
        trigger: pending.trigger ?? 'async',
        attempt: attempts + 1,
        requestId: pending.requestId,
        onStart: () => {
          counting = backend.queues.startAttempts(queue, [msg.receiptHandle]);
          counting.catch(() => undefined);
        },
      });
      await counting;
      attempts++;
      if (inv.status === 'ok') {
        stop.abort();
        await beat;
        await backend.queues.delete(queue, msg.receiptHandle);
        return 'ok';
      }
      lastError = inv.error!;
      if (attempts < maxAttempts && !inv.cancelled) {
        stop.abort();
        await beat;
        await backend.queues.release(queue, msg.receiptHandle, { error: invocationErrorToError(inv.error!), delayMs: base * 2 ** (attempts - 1) });
        return 'retry';
      }
    }
    if (fn.onFailure) {
      const record = failureRecord({ fnName: fn.name, requestId: pending.requestId, invokeCount: attempts, event: pending.event, error: lastError, now: backend.clock.now() });
      try {
        await sendToDestination(backend, fn.onFailure, record);
      } catch (err) {
        stop.abort();
        await beat;
        // Keep the handler's error as the event's last error, so the record sent later is the same.
        await backend.queues.release(queue, msg.receiptHandle, { error: invocationErrorToError(lastError), delayMs: base });
        throw err;
      }
    }
    stop.abort();
    await beat;
    await backend.queues.delete(queue, msg.receiptHandle);
    return 'failed';
  } finally {
    stop.abort();
    await beat;
  }
}

/**
 * Runs the async events that are due: receives up to `maxMessages` (default 10) and runs them at
 * once (each function's concurrency still bounds its own). Returns what happened to them. The
 * runtime calls this in a loop; tests call it after moving the fake clock.
 */
export async function drainAsync(deps: InvokeDeps, options: AsyncOptions & { maxMessages?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<DrainResult> {
  const queue = options.queue ?? defaults.fn.asyncQueue;
  const base = options.retryBaseMs ?? defaults.fn.asyncRetryBaseMs;
  const leaseMs = options.leaseMs ?? defaults.fn.asyncLeaseMs;
  await ensureQueue(deps.backend, queue);
  const messages = await deps.backend.queues.receive(queue, {
    maxMessages: options.maxMessages ?? 10,
    visibilityTimeoutMs: leaseMs,
    countAttempt: false,
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const outcomes = await Promise.allSettled(messages.map((m) => processOne(deps, m, queue, base, leaseMs)));
  const result: DrainResult = { received: messages.length, ok: 0, retried: 0, failed: 0 };
  const errors: unknown[] = [];
  for (const o of outcomes) {
    if (o.status === 'rejected') errors.push(o.reason);
    else if (o.value === 'ok') result.ok++;
    else if (o.value === 'retry') result.retried++;
    else if (o.value === 'failed') result.failed++;
  }
  if (errors.length) throw new AggregateError(errors, `drainAsync: ${errors.length} of ${messages.length} async events could not be settled; they stay queued and are tried again.`);
  return result;
}
