/**
 * The local job store: jobs, checkpoints and step journals in the shared SQLite file (schema.ts).
 * Every method is one prepared statement or one short transaction, so a checkpoint costs one
 * small write (tens of microseconds in WAL mode with synchronous=NORMAL).
 *
 * The same class serves the parent (runner: create, claim, settle, cancel) and a handler process
 * (checkpoint, progress, journal) that opened its own connection with connect.ts; SQLite's lock
 * and the relay fence keep the two consistent.
 */
import { randomUUID } from 'node:crypto';
import { defaults } from '../../../core/defaults.ts';
import { ConditionFailedError, NotFoundError, StaleReceiptError, type SerializedError } from '../../../core/errors.ts';
import { pageRows } from './page.ts';
import type { ExecutorKind } from '../../../core/resources/fn.ts';
import type { CreateJobInput, Job, JobPageFilter, JobProgress, JobStatus, JobStore, JobStoreConnection, ListJobsFilter, ListPage, Settlement, StepEntry, StepStatus } from '../../../ports/jobs.ts';
import type { LocalContext } from '../context.ts';
import { boundLimit } from '../db.ts';
import { LocalMapLedger } from './map-ledger.ts';

interface JobRow {
  id: string;
  fn: string;
  status: string;
  input: string | null;
  checkpoint: string | null;
  checkpoint_seq: number;
  relay: number;
  failures: number;
  stalls: number;
  executor: string;
  progress_done: number | null;
  progress_total: number | null;
  wake_at: number | null;
  waiting_for: string | null;
  result: string | null;
  error: string | null;
  budget: string;
  created_at: number;
  updated_at: number;
}

interface StepRow {
  position: number;
  name: string;
  status: string;
  result: string | null;
  result_ref: string | null;
  attempts: number;
  started_at: number | null;
  wake_at: number | null;
  error: string | null;
}

const parse = (s: string | null): unknown => (s === null ? undefined : JSON.parse(s));

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    fn: r.fn,
    status: r.status as JobStatus,
    input: parse(r.input),
    ...(r.checkpoint !== null ? { checkpoint: JSON.parse(r.checkpoint) as unknown } : {}),
    checkpointSeq: r.checkpoint_seq,
    relay: r.relay,
    failures: r.failures,
    stalls: r.stalls,
    executor: r.executor as ExecutorKind,
    ...(r.progress_done !== null ? { progress: { done: r.progress_done, ...(r.progress_total !== null ? { total: r.progress_total } : {}) } } : {}),
    ...(r.wake_at !== null ? { wakeAt: r.wake_at } : {}),
    ...(r.waiting_for !== null ? { waitingFor: r.waiting_for } : {}),
    ...(r.result !== null ? { result: JSON.parse(r.result) as unknown } : {}),
    ...(r.error !== null ? { error: JSON.parse(r.error) as SerializedError } : {}),
    budget: JSON.parse(r.budget) as Job['budget'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toStep(r: StepRow): StepEntry {
  return {
    position: r.position,
    name: r.name,
    status: r.status as StepStatus,
    ...(r.result !== null ? { resultJson: r.result } : {}),
    ...(r.result_ref !== null ? { resultRef: JSON.parse(r.result_ref) as { bucket: string; key: string } } : {}),
    attempts: r.attempts,
    ...(r.started_at !== null ? { startedAt: r.started_at } : {}),
    ...(r.wake_at !== null ? { wakeAt: r.wake_at } : {}),
    ...(r.error !== null ? { error: JSON.parse(r.error) as SerializedError } : {}),
  };
}

const final = new Set<JobStatus>(['succeeded', 'failed', 'cancelled']);

export class LocalJobStore implements JobStore {
  private readonly q;
  readonly maps: LocalMapLedger;

  constructor(private readonly ctx: LocalContext) {
    const db = ctx.db;
    this.maps = new LocalMapLedger(ctx);
    this.q = {
      insert: db.prepare(`INSERT INTO jobs (id, fn, status, input, executor, budget, created_at, updated_at, wake_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`),
      get: db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE id = ?`),
      claim: db.prepare<[number, string], JobRow>(`UPDATE jobs SET status = 'running', relay = relay + 1, wake_at = NULL, waiting_for = NULL, updated_at = ? WHERE id = ? AND status IN ('queued', 'running') RETURNING *`),
      checkpoint: db.prepare(`UPDATE jobs SET checkpoint = ?, checkpoint_seq = checkpoint_seq + 1, progress_done = coalesce(?, progress_done), progress_total = coalesce(?, progress_total), updated_at = ? WHERE id = ? AND relay = ? AND status = 'running'`),
      progress: db.prepare(`UPDATE jobs SET progress_done = ?, progress_total = coalesce(?, progress_total), updated_at = ? WHERE id = ? AND relay = ? AND status = 'running'`),
      fence: db.prepare<[string], { status: string; relay: number }>(`SELECT status, relay FROM jobs WHERE id = ?`),
      steps: db.prepare<[string], StepRow>(`SELECT position, name, status, result, result_ref, attempts, started_at, wake_at, error FROM job_steps WHERE job_id = ? ORDER BY position`),
      upsertStep: db.prepare(`INSERT INTO job_steps (job_id, position, name, status, result, result_ref, attempts, started_at, wake_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (job_id, position) DO UPDATE SET name = excluded.name, status = excluded.status, result = excluded.result, result_ref = excluded.result_ref, attempts = excluded.attempts, started_at = excluded.started_at, wake_at = excluded.wake_at, error = excluded.error`),
      cancel: db.prepare(`UPDATE jobs SET status = 'cancelled', wake_at = NULL, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')`),
      due: db.prepare<[number, number], JobRow>(`SELECT * FROM jobs WHERE status = 'queued' AND coalesce(wake_at, 0) <= ? ORDER BY coalesce(wake_at, 0), created_at ${boundLimit}`),
    };
  }

  async create(input: CreateJobInput): Promise<Job> {
    const now = this.ctx.clock.now();
    const id = input.id ?? randomUUID();
    try {
      this.q.insert.run(id, input.fn, input.input === undefined ? null : JSON.stringify(input.input), input.executor, JSON.stringify(input.budget), now, now, now);
    } catch (err) {
      // As the aws store: a duplicate id is a failed condition, not a raw SQLite error.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new ConditionFailedError(`job "${id}" already exists.`, { action: 'Start the job without an id, or with a new one.', cause: err });
      throw err;
    }
    return this.mustGet(id);
  }

  async get(id: string): Promise<Job | undefined> {
    const r = this.q.get.get(id);
    return r ? toJob(r) : undefined;
  }

  async list(filter: ListJobsFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.status) (where.push('status = ?'), args.push(filter.status));
    if (filter.fn) (where.push('fn = ?'), args.push(filter.fn));
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC ${boundLimit}`;
    return this.ctx.db.prepare<Array<string | number>, JobRow>(sql).all(...args, filter.limit ?? 50).map(toJob);
  }

  async page(filter: JobPageFilter = {}): Promise<ListPage<Job>> {
    return pageRows<JobRow, Job>(this.ctx.db, 'jobs', filter, toJob);
  }

  async claim(id: string): Promise<Job | undefined> {
    const r = this.q.claim.get(this.ctx.clock.now(), id);
    return r ? toJob(r) : undefined;
  }

  async settle(id: string, relay: number, o: Settlement): Promise<Job> {
    const now = this.ctx.clock.now();
    const sets: string[] = ['status = ?', 'updated_at = ?'];
    const args: Array<string | number | null> = [o.kind, now];
    if (o.kind === 'succeeded') sets.push('result = ?', 'wake_at = NULL'), args.push(JSON.stringify(o.result ?? null));
    if (o.kind === 'failed') sets.push('error = ?', 'wake_at = NULL'), args.push(JSON.stringify(o.error));
    if (o.kind === 'queued') {
      sets.push('wake_at = ?', 'waiting_for = ?'), args.push(o.wakeAt, o.waitingFor ?? null);
      if (o.stalls !== undefined) sets.push('stalls = ?'), args.push(o.stalls);
      if (o.executor !== undefined) sets.push('executor = ?'), args.push(o.executor);
    }
    if (o.kind !== 'succeeded' && o.failures !== undefined) sets.push('failures = ?'), args.push(o.failures);
    this.ctx.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ? AND relay = ? AND status = 'running'`).run(...args, id, relay);
    return this.mustGet(id);
  }

  async cancel(id: string): Promise<Job> {
    this.q.cancel.run(this.ctx.clock.now(), id);
    return this.mustGet(id);
  }

  async due(now: number, limit = 100): Promise<Job[]> {
    return this.q.due.all(now, limit).map(toJob);
  }

  async checkpoint(id: string, relay: number, checkpointJson: string, progress?: JobProgress): Promise<void> {
    const r = this.q.checkpoint.run(checkpointJson, progress?.done ?? null, progress?.total ?? null, Date.now(), id, relay);
    if (r.changes === 0) this.refuse(id, relay, 'checkpoint');
  }

  async progress(id: string, relay: number, p: JobProgress): Promise<void> {
    const r = this.q.progress.run(p.done, p.total ?? null, Date.now(), id, relay);
    if (r.changes === 0) this.refuse(id, relay, 'progress');
  }

  async steps(id: string): Promise<StepEntry[]> {
    return this.q.steps.all(id).map(toStep);
  }

  async journal(id: string, relay: number, e: StepEntry): Promise<void> {
    this.ctx.db
      .transaction(() => {
        const f = this.q.fence.get(id);
        if (!f || f.status !== 'running' || f.relay !== relay) this.refuse(id, relay, `step "${e.name}"`);
        this.q.upsertStep.run(id, e.position, e.name, e.status, e.resultJson ?? null, e.resultRef ? JSON.stringify(e.resultRef) : null, e.attempts, e.startedAt ?? null, e.wakeAt ?? null, e.error ? JSON.stringify(e.error) : null);
      })
      .immediate();
  }

  connection(): JobStoreConnection {
    return { backend: 'local', env: { [defaults.store.dirEnv]: this.ctx.dir } };
  }

  /** Why a fenced write was refused, as the error the handler side turns into "end this relay". */
  private refuse(id: string, relay: number, what: string): never {
    const f = this.q.fence.get(id);
    if (!f) throw new NotFoundError(`job "${id}" does not exist, so its ${what} cannot be saved.`);
    if (f.status === 'cancelled') throw new ConditionFailedError(`job "${id}" was cancelled; its ${what} was not saved and this relay should end.`);
    if (final.has(f.status as JobStatus)) throw new ConditionFailedError(`job "${id}" has already ${f.status}; its ${what} was not saved.`);
    throw new StaleReceiptError(`job "${id}": relay ${relay} is no longer current (relay ${f.relay} is); its ${what} was not saved.`, { action: 'This relay was given up on (timed out or its process died); the current relay resumes from the last saved checkpoint.' });
  }

  private mustGet(id: string): Job {
    const r = this.q.get.get(id);
    if (!r) throw new NotFoundError(`job "${id}" does not exist.`, { action: 'List jobs with `baton jobs`.' });
    return toJob(r);
  }
}
