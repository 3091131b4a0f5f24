/**
 * Messages between the pool (parent) and a worker. One worker runs one invocation at a time, so
 * every message after `invoke` up to its `done` belongs to that invocation; log records still
 * carry the request id so a line printed late (a timer left running) is never pinned on the next
 * invocation.
 */
import type { EncodedEvent, InvocationError, LogRecord } from '../../ports/executor.ts';

/** What a worker is started with (worker_threads `workerData`). */
export interface WorkerSetup {
  /** file: URL of the handler module. */
  moduleUrl: string;
  /** The module as written in the config, for messages. */
  module: string;
  handler: string;
  fnName: string;
  memoryMb: number;
  logStreamName: string;
  /** Each log line is cut to this many bytes. */
  logPayloadBytes: number;
  /** Log lines kept per invocation; the rest are counted in one closing line. */
  maxLogRecords: number;
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /**
   * The event as JSON, parsed in the worker so the handler gets its own copy, as on Lambda; or, with
   * `decoder`, its wire form (EncodedEvent.wire).
   */
  eventJson: string;
  /** Set when eventJson is the event's wire form (ports/executor.ts encodedEvent), expanded by this decoder. */
  decoder?: EncodedEvent['decoder'];
  /** Epoch ms when the hard limit passes; getRemainingTimeInMillis counts down to it. */
  deadline: number;
}

export type ToWorker = InvokeMessage;

export type FromWorker =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: InvocationError; initDurationMs: number }
  | { type: 'log'; requestId: string | undefined; record: LogRecord }
  | { type: 'done'; requestId: string; ok: true; resultJson: string }
  | { type: 'done'; requestId: string; ok: false; error: InvocationError };
