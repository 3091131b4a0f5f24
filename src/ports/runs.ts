/**
 * The run history port: every invocation is a run, recorded when it starts and finished with its
 * outcome and its log lines, so `baton runs` and `baton logs` can answer "what ran, how did it
 * end, and what did it print" after the fact.
 *
 * A run is `running` from `start` until `finish` sets ok, error, timeout or cancelled; a run left
 * `running` by a process that died stays so until retention prunes it.
 *
 * Cancelling (issue 14) is a request stored with the run, because whoever asks (the dashboard, the
 * CLI) may be another process than the one running it: `requestCancel` records { at, by } on a run
 * that is still running (a run that has ended is refused with a ConditionFailedError naming its
 * status; a second request keeps the first). The process running the run finds the requests with
 * `cancelRequests` (an index of requests, never a scan of runs) about once a second, stops the
 * invocation as a timeout would (its worker is terminated) and finishes the run `cancelled` with
 * error type 'Baton.Cancelled' and a message saying who asked and when (runtime/invoke/cancel.ts).
 * A request for a run whose process died stays unanswered; the run stays `running` as before. Retention keeps the newest N runs of
 * each function and/or runs younger than a maximum age; pruning a run removes its logs.
 *
 * Left out on purpose: full-text search of logs, and log streaming while a run is still going
 * (appendLogs exists so a long run can write its lines in batches; the executor reports them at
 * the end).
 */
import type { LogRecord } from './executor.ts';

export type RunStatus = 'running' | 'ok' | 'error' | 'timeout' | 'cancelled';

/** Every run status, in the order filters list them. */
export const runStatuses: readonly RunStatus[] = ['running', 'ok', 'error', 'timeout', 'cancelled'];

/** Who asked to cancel a run, and when. */
export interface CancelRequestInput {
  /** Epoch ms. Default: the clock's now. */
  at?: number;
  /** Who asked: 'dashboard', 'cli', a user name. */
  by?: string;
}

/** A stored cancel request of a run. */
export interface CancelRequest {
  runId: string;
  at: number;
  by?: string;
}

export interface RunError {
  /** Lambda's errorType ('TypeError', 'Sandbox.Timedout', ...). */
  type: string;
  message: string;
  stack?: string;
}

export interface Run {
  id: string;
  fn: string;
  /** What started it: 'invoke', 'async', 'queue:orders', 'schedule:nightly', 'stream:orders', ... */
  trigger: string;
  /** 1 for the first try; retries count up. */
  attempt: number;
  /** The Lambda request id the handler saw (async retries share it, as on Lambda). */
  requestId?: string;
  /** Epoch ms (the backend's clock). */
  startedAt: number;
  /** Set when finished. */
  durationMs?: number;
  status: RunStatus;
  error?: RunError;
  /** The message or record ids the run handled. */
  recordIds: string[];
  /** The input as JSON, cut to a summary size (1 KiB by default). */
  input?: string;
  /** What the handler returned, as JSON cut to the same summary size; set by finish when given. */
  result?: string;
  /** Set once cancelling was requested (requestCancel). `get` and `requestCancel` return it; lists may leave it out. */
  cancelRequest?: { at: number; by?: string };
}

export interface StartRunInput {
  /** Default: a fresh id. */
  id?: string;
  fn: string;
  trigger: string;
  attempt?: number;
  requestId?: string;
  recordIds?: string[];
  /** The input, summarized (JSON, cut to the store's summary size) before it is stored. */
  input?: unknown;
  /** Default: the clock's now. */
  startedAt?: number;
}

export interface FinishRunInput {
  status: Exclude<RunStatus, 'running'>;
  durationMs: number;
  error?: RunError;
  /** Log lines to append in the same write. */
  logs?: LogRecord[];
  /** The ids of what the run handled, when only known at the end. */
  recordIds?: string[];
  /** What the handler returned, summarized (JSON, cut to the store's summary size) before it is stored. */
  result?: unknown;
}

export interface ListRunsFilter {
  fn?: string;
  status?: RunStatus;
  trigger?: string;
  /** Newest first; default 50. */
  limit?: number;
  /** Only runs started before this time (epoch ms), for paging back. */
  before?: number;
}

/** A page of runs (the dashboard's list): newest first, filtered, resumable with `cursor`. */
export interface RunPageFilter {
  fn?: string;
  status?: RunStatus;
  trigger?: string;
  /** Only runs started at or after this time (epoch ms). */
  since?: number;
  /** Only runs started before this time (epoch ms). */
  until?: number;
  /** Default 50. */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface RunPage {
  items: Run[];
  /** Pass as `cursor` for the next page; null when there are no more. */
  next: string | null;
}

/** Which runs `count` counts: those started at or after `since`, those with `status`, or both (at least one). */
export interface RunCountFilter {
  since?: number;
  status?: RunStatus;
}

export interface RunCount {
  fn: string;
  status: RunStatus;
  count: number;
}

export interface RetentionPolicy {
  /** Keep at most this many runs per function (newest first). */
  keepPerFn?: number;
  /** Remove runs that started longer ago than this. */
  maxAgeMs?: number;
}

export interface RunStore {
  start(input: StartRunInput): Promise<Run>;
  /** Throws NotFoundError for an unknown run id. */
  finish(id: string, input: FinishRunInput): Promise<Run>;
  /**
   * Records a run that has already ended: its start and its finish in one write (optional; a store
   * without it gets `start` then `finish`). The id must be given.
   */
  record?(start: StartRunInput & { id: string }, finish: FinishRunInput): Promise<Run>;
  appendLogs(id: string, logs: LogRecord[]): Promise<void>;
  list(filter?: ListRunsFilter): Promise<Run[]>;
  get(id: string): Promise<Run | undefined>;
  /**
   * One page of runs newest first, read from the store's indexes (never all runs). `next` is an
   * opaque cursor; a malformed cursor or filter is a ValidationError.
   */
  page(filter?: RunPageFilter): Promise<RunPage>;
  /** How many runs match, by function and status (the dashboard's live counts); read from an index, never every run. */
  count(filter: RunCountFilter): Promise<RunCount[]>;
  /** The run's log lines in the order they were written. */
  logs(id: string, options?: { limit?: number }): Promise<LogRecord[]>;
  /**
   * Asks that a running run be cancelled; returns the run with its `cancelRequest`. NotFoundError
   * for an unknown run; ConditionFailedError when the run is not running ("Run "x" already ended
   * ok"). Asking again while it runs returns it with the first request, unchanged.
   */
  requestCancel(id: string, request?: CancelRequestInput): Promise<Run>;
  /**
   * The cancel requests of runs still running, read from an index of requests (never every run);
   * it may still hold a run that ended a moment ago. The process running a run polls it.
   */
  cancelRequests(): Promise<CancelRequest[]>;
  /** Applies the retention policy (default: the store's); returns how many runs and log lines went. */
  prune(policy?: RetentionPolicy): Promise<{ runs: number; logs: number }>;
}
