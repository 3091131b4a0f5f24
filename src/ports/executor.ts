/**
 * The executor port: runs one invocation of a function's handler with AWS Lambda's semantics and
 * reports how it ended. The `function` executor (worker threads, a hard time limit) implements it
 * now; the `container` executor (no time limit) will implement the same interface later, so
 * triggers, invoke and the map coordinator never know which one ran a handler.
 *
 * An invocation never rejects for a handler's failure: a throw, a timeout or an init error are all
 * an Invocation with a status. `invoke` rejects only when the invocation could not be attempted at
 * all (the executor is closed, the event is not JSON, the signal aborted while it was waiting).
 *
 * Left out on purpose: provisioned concurrency, versions and aliases, response streaming.
 */
import type { SerializedError } from '../core/errors.ts';
import type { FnConfig } from '../core/resources/fn.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One captured log line: what console.* or the structured logger wrote during an invocation. */
export interface LogRecord {
  /** Epoch milliseconds. */
  time: number;
  level: LogLevel;
  /** The formatted line, cut to the configured size with a '…[truncated N bytes]' marker. */
  message: string;
}

/**
 * A failed invocation's error, in Lambda's shape (`errorType`, `errorMessage`) and in Baton's
 * (`name`, `code`, `message`), so it can go straight to a queue's release or a run's record.
 *   errorType  the thrown error's name ('TypeError'), `typeof` a thrown non-Error ('string'),
 *              or a runtime type: 'Sandbox.Timedout', 'Runtime.ImportModuleError',
 *              'Runtime.HandlerNotFound', 'Runtime.ExitError', 'Runtime.ResultNotSerializable'.
 */
export interface InvocationError extends SerializedError {
  errorType: string;
  errorMessage: string;
}

export type InvocationStatus = 'ok' | 'error' | 'timeout';

export interface Invocation {
  /** The Lambda request id (context.awsRequestId). */
  requestId: string;
  status: InvocationStatus;
  /** The handler's result after a JSON round trip, as Lambda returns it (undefined becomes null). */
  result?: unknown;
  error?: InvocationError;
  /** When the handler started (epoch ms). */
  startedAt: number;
  /** From the handler's start to its end, timeout or crash (excludes waiting and init). */
  durationMs: number;
  /** Time spent loading the module when this invocation caused a cold start. */
  initDurationMs?: number;
  /** Time spent waiting for a free slot (concurrency) before the handler started. */
  queuedMs: number;
  logs: LogRecord[];
}

/**
 * An event may carry, under this symbol, a compact encoding of itself that an executor running the
 * handler in another thread or process can send instead of the event's JSON; the receiving side
 * rebuilds the same event with the named decoder (runtime/executor/worker/decoders.ts). Triggers
 * use it for events that are large to build where they are read (a stream batch's
 * attribute-value images): the work moves to the worker. JSON.stringify never sees the symbol.
 */
export const encodedEvent = Symbol.for('baton.encodedEvent');

export interface EncodedEvent {
  decoder: 'dynamodb-stream' | 'sqs';
  /**
   * The event's wire form, the text the decoder reads (not always JSON: the SQS one carries its
   * bodies as they are). Made afresh on each call and held by no one else, so that once the
   * executor has sent it, the copy a thread's postMessage flattens it into is garbage at once
   * (runtime/executor/pool.ts) rather than kept with the event until the handler returns.
   */
  wire(): string;
}

export interface InvokeOptions {
  /** Default: a fresh UUID. Async retries reuse the first attempt's id, as Lambda does. */
  requestId?: string;
  /**
   * Aborting while the invocation waits for a slot rejects it (nothing ran); aborting while the
   * handler runs stops it as a timeout would, with status 'error' and errorType 'Runtime.Aborted'.
   */
  signal?: AbortSignal;
  /**
   * Called once the invocation has a worker slot, right before the cold start (if any) and the
   * handler: from here on it counts as an attempt, even if the module then fails to load.
   */
  onStart?: (info: { requestId: string; startedAt: number }) => void;
}

export interface Executor {
  invoke(fn: FnConfig, event: unknown, options?: InvokeOptions): Promise<Invocation>;
  /**
   * Loads the function's handler as a cold start would and reports the init error an invocation
   * would get (missing module, syntax error, no such export, ...), or undefined when it loads.
   * Optional: an executor that cannot check ahead of an invocation leaves it out.
   */
  checkLoad?(fn: FnConfig): Promise<InvocationError | undefined>;
  /**
   * Hot reload: the function's next invocation loads its handler module afresh in a new worker.
   * Warm idle workers end now; an invocation running now finishes in its worker, which then ends
   * (never restarted during one). Optional, like checkLoad.
   */
  reload?(fnName: string): void;
  /** Ends every worker; invocations still running end with status 'error'; later invokes reject. */
  close(): Promise<void>;
}
