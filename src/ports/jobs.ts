/**
 * The job store port: durable state of jobs (long tasks that relay across invocations), their
 * checkpoints and their step journals.
 *
 * Job states:
 *   queued     waiting for its next relay: new, continued, retrying after a failure (wakeAt is
 *              the backoff's end) or suspended by a step's sleep/waitFor (wakeAt is the wake time)
 *   running    a relay holds it; `relay` (the fencing token) counts relays claimed so far
 *   succeeded  the handler returned; `result` holds what it returned
 *   failed     a NonRetriableError, or the budget of failed attempts or relays ran out; `error`
 *   cancelled  cancel() was called; the running relay's next checkpoint or step write is refused
 *   queued -> running (claim) -> queued (continue, retry, suspend) | succeeded | failed
 *   any non-final -> cancelled
 *
 * Fencing: every handler-side write (checkpoint, progress, journal) names the relay it belongs to
 * and is refused once that relay is no longer current (the parent gave up on it after a timeout
 * or a crash and claimed the next one) or the job was cancelled, so a late write from a relay that
 * was killed can never overwrite a newer checkpoint.
 *
 * The handler side reaches the store from inside a worker thread or a container child:
 * `connection()` says how (for the local backend: the state directory, which the handler process
 * opens itself; see backends/local/jobs/connect.ts for why).
 *
 * Left out on purpose: job priorities, dependencies between jobs, and scheduling by cron (a
 * schedule that starts a job does that).
 */
import type { ExecutorKind } from '../core/resources/fn.ts';
import type { SerializedError } from '../core/errors.ts';
import type { ObjectStore } from './objects.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total?: number;
}

export interface JobBudget {
  /** Relays (invocations) at most, continues and retries together. */
  maxRelays: number;
  /** Failed attempts (errors, timeouts without progress) at most before the job fails. */
  maxFailures: number;
}

export interface Job {
  id: string;
  fn: string;
  status: JobStatus;
  input: unknown;
  /** The last checkpoint (undefined before the first). */
  checkpoint?: unknown;
  /** Bumped by every checkpoint: a relay that ended with the same value made no progress. */
  checkpointSeq: number;
  /** Relays claimed so far (the current one's number while running). */
  relay: number;
  /** Failed attempts so far. */
  failures: number;
  /** Timeouts in a row without a checkpoint (promotion counts these). */
  stalls: number;
  executor: ExecutorKind;
  progress?: JobProgress;
  /** When a queued job is due (epoch ms). */
  wakeAt?: number;
  /** Why it is queued and not due yet: 'retry', 'sleep:<step>', 'waitFor:<step>'. */
  waitingFor?: string;
  result?: unknown;
  error?: SerializedError;
  budget: JobBudget;
  createdAt: number;
  updatedAt: number;
}

export interface CreateJobInput {
  id?: string;
  fn: string;
  input?: unknown;
  executor: ExecutorKind;
  budget: JobBudget;
}

/** How a relay ended, as the runner saw it. Every settle is fenced on the relay. */
export type Settlement =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'failed'; error: SerializedError; failures?: number }
  | { kind: 'queued'; wakeAt: number; waitingFor?: string; failures?: number; stalls?: number; executor?: ExecutorKind };

export type StepStatus = 'done' | 'failed' | 'waiting';

export interface StepEntry {
  position: number;
  name: string;
  status: StepStatus;
  /** JSON of the result when small enough; else resultRef names the object holding it. */
  resultJson?: string;
  resultRef?: { bucket: string; key: string };
  attempts: number;
  startedAt?: number;
  wakeAt?: number;
  error?: SerializedError;
}

export interface ListJobsFilter {
  status?: JobStatus;
  fn?: string;
  /** Newest first; default 50. */
  limit?: number;
}

/**
 * How a handler process reaches the store: the backend's name and the environment its handler
 * side opens the store from (local: the state directory; aws: region, endpoints, prefix). Plain
 * JSON, as it travels in every relay's event; the composition root (src/root) turns it into a
 * JobStoreHandle inside the handler's process.
 */
/** A page of jobs (the dashboard's list): newest first, resumed with `cursor`. */
export interface JobPageFilter {
  status?: JobStatus;
  fn?: string;
  /** Default 50. */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface ListPage<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null when there are no more. */
  next: string | null;
}

export interface JobStoreConnection {
  backend: string;
  env: Record<string, string>;
}

/** The job store as a handler process holds it, with the object store opened on first use (only large step results need it). */
export interface JobStoreHandle {
  store: JobStore;
  objects(): ObjectStore;
}

export interface JobStore {
  create(input: CreateJobInput): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  list(filter?: ListJobsFilter): Promise<Job[]>;
  /** One page of jobs newest first, from the store's index; a malformed cursor is a ValidationError. */
  page(filter?: JobPageFilter): Promise<ListPage<Job>>;
  /** Takes the job's next relay if it is queued (or running with a relay that died); undefined otherwise. */
  claim(id: string): Promise<Job | undefined>;
  /** Ends relay `relay`; returns the job as it now is (unchanged if the relay is stale or the job was cancelled). */
  settle(id: string, relay: number, outcome: Settlement): Promise<Job>;
  /** Cancels a job that has not finished; returns it (as it was, if it had). */
  cancel(id: string): Promise<Job>;
  /** Queued jobs due by `now`, oldest first. */
  due(now: number, limit?: number): Promise<Job[]>;

  // The handler side, fenced on the relay: a stale relay gets StaleReceiptError, a cancelled job
  // ConditionFailedError (both from core/errors.ts).
  checkpoint(id: string, relay: number, checkpointJson: string, progress?: JobProgress): Promise<void>;
  progress(id: string, relay: number, progress: JobProgress): Promise<void>;
  steps(id: string): Promise<StepEntry[]>;
  journal(id: string, relay: number, entry: StepEntry): Promise<void>;

  connection(): JobStoreConnection;

  /** The per-item ledger of map coordinators. */
  readonly maps: MapLedger;
}

/**
 * The map ledger: one row per map and one per item, so a coordinator that dies can be started
 * again and resume without running a succeeded item twice. Writes are batch-first: items are
 * added, taken and completed many to a transaction.
 *
 * Map states: loading (items are being read from the source into the ledger) -> running
 * (dispatching) -> succeeded | failed (over the failure budget, or a source error) | cancelled.
 * Item states: pending -> running (taken by a coordinator) -> succeeded | failed | pending again (a
 * retry). A coordinator starting on an existing map first puts its `running` items back to
 * `pending` (their invocations died with the old process).
 */
export type MapStatus = 'loading' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type MapItemStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface MapCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
}

export interface MapRecord {
  id: string;
  fn: string;
  status: MapStatus;
  /** Items read from the source so far; `sourceDone` once all are. */
  loaded: number;
  sourceDone: boolean;
  /** JSON of the options the map was started with (for `baton jobs status`). */
  options: unknown;
  error?: SerializedError;
  /** Where the manifest is, once written. */
  manifest?: { bucket: string; key: string };
  createdAt: number;
  updatedAt: number;
}

export interface MapItem {
  index: number;
  item: unknown;
  attempts: number;
}

export interface MapCompletion {
  index: number;
  status: 'succeeded' | 'failed' | 'pending';
  attempts: number;
  resultJson?: string;
  error?: SerializedError;
}

export interface MapItemRow extends MapItem {
  status: MapItemStatus;
  result?: unknown;
  error?: SerializedError;
}

export interface MapLedger {
  /** Creates the map, or returns the existing one with that id. */
  open(input: { id: string; fn: string; options: unknown }): Promise<MapRecord>;
  get(id: string): Promise<MapRecord | undefined>;
  list(limit?: number): Promise<MapRecord[]>;
  /** One page of maps newest first, from the store's index; a malformed cursor is a ValidationError. */
  page(options?: { limit?: number; cursor?: string }): Promise<ListPage<MapRecord>>;
  /** Adds items from index `from` on (idempotent: an index already there is kept). */
  addItems(id: string, from: number, itemsJson: readonly string[], sourceDone: boolean): Promise<void>;
  /** Items left `running` by a dead coordinator go back to pending; returns how many. */
  recover(id: string): Promise<number>;
  /** Marks up to `limit` pending items running and returns them, lowest index first. */
  take(id: string, limit: number): Promise<MapItem[]>;
  complete(id: string, completions: readonly MapCompletion[]): Promise<void>;
  counts(id: string): Promise<MapCounts>;
  /** Items with this status, by index, a page at a time (after `afterIndex`). */
  items(id: string, status: MapItemStatus, afterIndex: number, limit: number): Promise<MapItemRow[]>;
  setStatus(id: string, status: MapStatus, extra?: { error?: SerializedError; manifest?: { bucket: string; key: string } }): Promise<MapRecord>;
  /** Failed items back to pending with attempts reset; returns how many. */
  redrive(id: string): Promise<number>;
}
