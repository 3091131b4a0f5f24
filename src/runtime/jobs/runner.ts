/**
 * The job runner: drives a job's relays, one invocation at a time, until it ends.
 *
 *   claim       the store moves the job queued -> running and bumps `relay` (the fence)
 *   invoke      the job's fn runs through the executor with a JobEvent (invokeSync: a run with
 *               trigger 'job:<id>' and attempt = relay, so `baton runs --trigger job:<id>` lists
 *               the relays)
 *   settle      by the JobReply job() returned:
 *                 done      -> succeeded
 *                 continue  -> queued, due now (the next relay starts at once)
 *                 suspend   -> queued, due at the wake time (a sleep, a waitFor, a step's retry
 *                              backoff): no executor is held; run() sleeps on the Clock
 *                 failed    -> failed (a NonRetriableError)
 *               a plain result (a handler not wrapped in job()) -> succeeded with it
 *               error or timeout:
 *                 a timeout after at least one checkpoint is a relay, not a failure: the next
 *                 relay starts at once from the checkpoint (a handler that never calls continue
 *                 still finishes, killed and resumed at its limit);
 *                 anything else is a failed attempt: retried from the last checkpoint after
 *                 retryBaseMs * 2^(failures-1) (capped at retryMaxMs), until budget.maxFailures;
 *                 a timeout with no checkpoint is a stall: after promoteAfterStalls stalls in a
 *                 row the job moves to the container executor (when promotion is on and the
 *                 executor can run containers).
 *   budget      past budget.maxRelays relays, or budget.maxFailures failures, the job fails with
 *               an error saying which budget ran out and what the last failure was.
 *   cancel      marks the job cancelled at once; a running relay's next checkpoint or step write
 *               is refused (it ends), and its settle is ignored.
 *
 * One process drives a given job at a time: drive(id) holds the job's driver lease
 * ('/baton/leases/jobs/<id>', lease/lease.ts: compare-and-set in the baton-leases table, renewed
 * every ttl/3) from before its claim to the relay's settle, and claims only while the lease is
 * valid. The store lets a `running` job be claimed at any time (its relay may have died); the
 * lease is how the runtime knows the relay died: its driver stopped renewing (the process was killed) and the lease
 * expired after leaseMs, so any engine's resume scan (engine/resume.ts) or `baton jobs resume`
 * takes it over and claims the next relay, which resumes from the last checkpoint; the dead
 * relay's late writes are refused by the relay fence. A job that waits (a sleep, a retry backoff)
 * is not held: the lease is released and the scan takes the job again when it is due.
 *
 *   drive   lease won -> claim/relay while due -> released (waiting, stopped) | deleted (final);
 *           lease held by another process -> undefined at once
 *   run     drive, then sleep until due (or followMs while another process drives it), until
 *           the job ends
 *
 * Stopping (`signal`) takes no new relay; `abort` (or losing the lease) aborts the running relay's
 * invocation and leaves it unsettled, `running`, for the next driver to claim.
 */
import { defaults } from '../../core/defaults.ts';
import { BatonError, ConditionFailedError, NotFoundError, ValidationError, serializeError } from '../../core/errors.ts';
import type { ExecutorKind, FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Executor, Invocation } from '../../ports/executor.ts';
import type { Job, Settlement } from '../../ports/jobs.ts';
import { RoutingExecutor } from '../container/router.ts';
import { findFn } from '../invoke/deps.ts';
import { invokeSync } from '../invoke/sync.ts';
import { Lease, leasePath } from '../lease/lease.ts';
import { isJobReply, type JobEvent } from './envelope.ts';

export type JobSettings = { -readonly [K in keyof typeof defaults.jobs]: (typeof defaults.jobs)[K] extends boolean ? boolean : (typeof defaults.jobs)[K] extends number ? number : string };

export interface JobRunnerOptions {
  backend: Backend;
  /** A RoutingExecutor lets jobs be promoted to (or started on) the container executor. */
  executor: Executor;
  fns: readonly FnConfig[];
  /** @defaultValue the backend's clock */
  clock?: Clock;
  settings?: Partial<JobSettings>;
  /** Called after every relay with the invocation and the job as settled. */
  onRelay?: (job: Job, invocation: Invocation) => void;
}

export interface StartJobOptions {
  id?: string;
  input?: unknown;
  /** @defaultValue fn.route(input) when the function has a routing rule, else fn.executor */
  executor?: ExecutorKind;
  maxRelays?: number;
  /** Retries of a failed attempt before the job fails (as a function's and a map's retries). @defaultValue defaults.jobs.retries */
  retries?: number;
  /** @deprecated Renamed `retries`; refused with that advice. */
  maxFailures?: never;
}

export interface RunOptions {
  /** Takes no new relay once aborted (the running one finishes and is settled). */
  signal?: AbortSignal;
  /** Aborts the running relay's invocation; it is not settled (the job stays running for the next driver). */
  abort?: AbortSignal;
}

const final = new Set(['succeeded', 'failed', 'cancelled']);

export class JobRunner {
  private readonly settings: JobSettings;
  private readonly clock: Clock;

  constructor(private readonly opts: JobRunnerOptions) {
    this.settings = { ...defaults.jobs, ...opts.settings };
    this.clock = opts.clock ?? opts.backend.clock;
  }

  /** Records a new queued job; run() drives it. */
  async start(fnName: string, options: StartJobOptions = {}): Promise<Job> {
    if ('maxFailures' in options) throw new ValidationError('job option "maxFailures" was renamed "retries" (the same count: failed attempts retried before the job fails, as a function\'s and a map\'s retries).', { action: `Pass retries: ${String(options.maxFailures)} instead.` });
    const fn = findFn({ backend: this.opts.backend, executor: this.opts.executor, fns: this.opts.fns }, fnName);
    const ex = this.opts.executor;
    const executor = options.executor ?? (ex instanceof RoutingExecutor ? ex.pick(fn, options.input) : fn.executor);
    try {
      return await this.opts.backend.jobs.create({
        ...(options.id ? { id: options.id } : {}),
        fn: fn.name,
        input: options.input,
        executor,
        budget: { maxRelays: options.maxRelays ?? this.settings.maxRelays, maxFailures: options.retries ?? this.settings.retries },
      });
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || !options.id) throw err;
      const found = await this.opts.backend.jobs.get(options.id);
      const state = found ? ` (fn "${found.fn}", ${found.status}, ${found.relay} relays)` : '';
      throw new ConditionFailedError(`job "${options.id}" already exists${state}.`, {
        action: found && final.has(found.status) ? `It has finished; start a new job with another id (or none).` : `Resume it with \`baton jobs resume ${options.id}\` (or run(id)), or start a new job with another id (or none).`,
        cause: err,
      });
    }
  }

  /**
   * Drives the job while it is due and this process holds its driver lease; returns the job when
   * it ended, waits for a later time, or the signal stopped it, and undefined at once when another
   * process drives it.
   */
  async drive(id: string, options: RunOptions = {}): Promise<Job | undefined> {
    const { jobs } = this.opts.backend;
    let job = await this.mustGet(id);
    if (final.has(job.status) || options.signal?.aborted || this.waiting(job)) return job;
    const lease = new Lease(this.opts.backend.tables, this.clock, leasePath('jobs', id), this.settings.leaseMs, `the driver of job "${id}"`);
    if (!(await lease.acquire())) return undefined;
    const keep = new AbortController();
    const alive = lease.keepAlive(keep.signal, () => undefined);
    let finished = false;
    try {
      for (;;) {
        job = await this.mustGet(id);
        if ((finished = final.has(job.status)) || options.signal?.aborted || lease.lost.aborted) return job;
        if (this.waiting(job) || !(await lease.confirm())) return job;
        const claimed = await jobs.claim(id);
        if (claimed) await this.relay(claimed, options.abort ? AbortSignal.any([options.abort, lease.lost]) : lease.lost);
      }
    } finally {
      keep.abort();
      await alive;
      await lease.release({ finished }).catch(() => undefined);
    }
  }

  /** Drives the job until it succeeds, fails or is cancelled (sleeping on the clock while it waits, following it while another process drives it). */
  async run(id: string, options: RunOptions = {}): Promise<Job> {
    for (;;) {
      const job = (await this.drive(id, options)) ?? (await this.mustGet(id));
      if (final.has(job.status) || options.signal?.aborted) return job;
      const due = job.status === 'queued' && job.wakeAt !== undefined ? job.wakeAt - this.clock.now() : 0;
      const wait = job.status === 'running' ? this.settings.followMs : due;
      if (wait > 0) await this.clock.sleep(wait, options.signal).catch(() => undefined);
    }
  }

  /** start + run. */
  async runJob(fnName: string, options: StartJobOptions & { signal?: AbortSignal } = {}): Promise<Job> {
    const job = await this.start(fnName, options);
    return this.run(job.id, options.signal ? { signal: options.signal } : {});
  }

  /** Drives every unfinished job, e.g. after a restart (a `running` job resumes from its checkpoint). */
  async resumeAll(options: RunOptions = {}): Promise<Job[]> {
    const { jobs } = this.opts.backend;
    const open = [...(await jobs.list({ status: 'running', limit: 1000 })), ...(await jobs.list({ status: 'queued', limit: 1000 }))];
    return Promise.all(open.map((j) => this.run(j.id, options)));
  }

  cancel(id: string): Promise<Job> {
    return this.opts.backend.jobs.cancel(id);
  }

  private waiting(job: Job): boolean {
    return job.status === 'queued' && job.wakeAt !== undefined && job.wakeAt > this.clock.now();
  }

  private async mustGet(id: string): Promise<Job> {
    const job = await this.opts.backend.jobs.get(id);
    if (!job) throw new NotFoundError(`job "${id}" does not exist.`, { action: 'Start it with startJob, or list jobs with `baton jobs`.' });
    return job;
  }

  /** One relay: invoke, then settle, unless `abort` ended it first (then it stays running for the next driver). */
  private async relay(job: Job, abort: AbortSignal): Promise<void> {
    const { jobs } = this.opts.backend;
    if (job.relay > job.budget.maxRelays) {
      await jobs.settle(job.id, job.relay, { kind: 'failed', error: serializeError(new BatonError(`job "${job.id}": the relay budget ran out after ${job.budget.maxRelays} relays without finishing.`, { action: 'Raise maxRelays, or make each relay do more work.' })) });
      return;
    }
    const base = findFn({ backend: this.opts.backend, executor: this.opts.executor, fns: this.opts.fns }, job.fn);
    const { route: _route, ...rest } = base;
    const fn: FnConfig = { ...rest, executor: job.executor };
    const s = this.settings;
    const event: JobEvent = {
      batonJob: {
        id: job.id,
        fn: job.fn,
        relay: job.relay,
        input: job.input,
        ...(job.checkpoint !== undefined ? { checkpoint: job.checkpoint } : {}),
        now: this.clock.now(),
        executor: job.executor,
        connection: jobs.connection(),
        limits: { maxCheckpointBytes: s.maxCheckpointBytes, marginMs: s.marginMs, stepRetries: s.stepRetries, stepBackoffMs: s.stepBackoffMs, retryMaxMs: s.retryMaxMs, stepInlineBytes: s.stepInlineBytes, bucket: s.bucket },
      },
    };
    let inv: Invocation;
    try {
      inv = await invokeSync({ backend: this.opts.backend, executor: this.opts.executor, fns: [fn] }, fn.name, event, { trigger: `job:${job.id}`, attempt: job.relay, signal: abort });
    } catch (err) {
      if (abort.aborted) return;
      throw err;
    }
    if (abort.aborted) return;
    const settled = await jobs.settle(job.id, job.relay, await this.outcome(job, inv));
    this.opts.onRelay?.(settled, inv);
  }

  private async outcome(job: Job, inv: Invocation): Promise<Settlement> {
    const now = this.clock.now();
    if (inv.status === 'ok') {
      const r = inv.result;
      if (!isJobReply(r)) return { kind: 'succeeded', result: r };
      switch (r.batonJob) {
        case 'done':
          return { kind: 'succeeded', result: r.result };
        case 'continue':
          return { kind: 'queued', wakeAt: now, stalls: 0 };
        case 'suspend':
          return { kind: 'queued', wakeAt: r.wakeAt, waitingFor: r.waitingFor, stalls: 0 };
        case 'failed':
          return { kind: 'failed', error: r.error };
      }
    }
    const after = await this.opts.backend.jobs.get(job.id);
    const progressed = (after?.checkpointSeq ?? 0) > job.checkpointSeq;
    if (inv.status === 'timeout' && progressed) return { kind: 'queued', wakeAt: now, stalls: 0 };
    const failures = job.failures + 1;
    const stalls = inv.status === 'timeout' ? job.stalls + 1 : 0;
    const last = inv.error ? `${inv.error.errorType}: ${inv.error.errorMessage}` : inv.status;
    if (failures > job.budget.maxFailures) {
      const err = new BatonError(`job "${job.id}": gave up after ${failures} failed attempts (the budget allows ${job.budget.maxFailures}); the last was ${last}.`, { action: 'Fix the cause (see `baton runs --trigger job:<id>`), then start the job again; a timeout with no checkpoint means the work between checkpoints is too long.' });
      return { kind: 'failed', error: serializeError(err), failures };
    }
    const promote = this.settings.promote && stalls >= this.settings.promoteAfterStalls && job.executor === 'function' && this.opts.executor instanceof RoutingExecutor;
    const backoff = Math.min(this.settings.retryBaseMs * 2 ** (failures - 1), this.settings.retryMaxMs);
    return { kind: 'queued', wakeAt: now + backoff, waitingFor: 'retry', failures, stalls: promote ? 0 : stalls, ...(promote ? { executor: 'container' as const } : {}) };
  }
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  return new JobRunner(options);
}
