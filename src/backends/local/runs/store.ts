/**
 * The local run history: runs and their log lines in SQLite (see schema.ts).
 *
 * `finish` writes the outcome and the run's log lines in one transaction with one prepared insert
 * reused per line (a batch), so recording a run costs two small writes however chatty the handler.
 * Retention is applied every `pruneEvery` finished runs and whenever `prune` is called: the newest
 * `keepPerFn` runs of each function are kept, and runs older than `maxAgeMs` go.
 */
import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { defaults } from '../../../core/defaults.ts';
import { ValidationError, show } from '../../../core/errors.ts';
import { summarize } from '../../../core/truncate.ts';
import type { LogLevel, LogRecord } from '../../../ports/executor.ts';
import { runStatuses as statuses } from '../../../ports/runs.ts';
import type { CancelRequest, CancelRequestInput, FinishRunInput, ListRunsFilter, RetentionPolicy, Run, RunCount, RunCountFilter, RunPage, RunPageFilter, RunStatus, RunStore, StartRunInput } from '../../../ports/runs.ts';
import type { LocalContext } from '../context.ts';
import { boundLimit } from '../db.ts';
import { runNotFound } from '../../shared/runs/cancel.ts';
import { LocalRunCancels } from './cancel.ts';
import { RunPager } from './page.ts';
import { prepareStatements, runColumns, type RunRow, type Statements } from './statements.ts';

export interface LocalRunStoreOptions {
  /** @defaultValue defaults.runs.keepPerFn and defaults.runs.maxAgeMs */
  retention?: RetentionPolicy;
  /** @defaultValue defaults.runs.inputSummaryBytes (1 KiB) */
  inputSummaryBytes?: number;
  /** Prune after this many finished runs; 0 turns automatic pruning off. @defaultValue defaults.runs.pruneEvery */
  pruneEvery?: number;
}

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    fn: r.fn,
    trigger: r.trigger,
    attempt: r.attempt,
    ...(r.request_id !== null ? { requestId: r.request_id } : {}),
    startedAt: r.started_at,
    ...(r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
    status: r.status as RunStatus,
    ...(r.error_type !== null ? { error: { type: r.error_type, message: r.error_message ?? '', ...(r.error_stack !== null ? { stack: r.error_stack } : {}) } } : {}),
    recordIds: JSON.parse(r.record_ids) as string[],
    ...(r.input !== null ? { input: r.input } : {}),
    ...(r.result !== null ? { result: r.result } : {}),
  };
}

export class LocalRunStore implements RunStore {
  private readonly stmt: Statements;
  private readonly retention: Required<RetentionPolicy>;
  private readonly inputSummaryBytes: number;
  private readonly pruneEvery: number;
  private finishedSincePrune = 0;
  private readonly listCache = new Map<string, Statement<Array<string | number>, RunRow>>();
  private readonly startTx: (...args: Parameters<Statements['insert']['run']>) => void;
  private readonly finishTx: (id: string, input: FinishRunInput) => boolean;
  private readonly recordTx: (start: Parameters<Statements['insert']['run']>, id: string, input: FinishRunInput) => boolean;
  private readonly appendTx: (seq: number, logs: LogRecord[]) => void;
  private readonly pruneTx: (policy: Required<RetentionPolicy>, now: number) => { runs: number; logs: number };

  constructor(
    private readonly ctx: LocalContext,
    options: LocalRunStoreOptions = {},
  ) {
    this.stmt = prepareStatements(ctx.db);
    this.retention = { keepPerFn: options.retention?.keepPerFn ?? defaults.runs.keepPerFn, maxAgeMs: options.retention?.maxAgeMs ?? defaults.runs.maxAgeMs };
    this.inputSummaryBytes = options.inputSummaryBytes ?? defaults.runs.inputSummaryBytes;
    this.pruneEvery = options.pruneEvery ?? defaults.runs.pruneEvery;
    const insertLogs = (seq: number, logs: LogRecord[]) => {
      for (const l of logs) this.stmt.insertLog.run(seq, Math.round(l.time), l.level, l.message);
    };
    // Every write is an IMMEDIATE transaction, which queues on the process's write lock (db.ts):
    // a plain statement or a DEFERRED transaction meets SQLite's busy handler instead, and slept
    // there (1, 2, 5, 10 ms ...) whenever a worker was writing, on the engine's thread that starts
    // and finishes every run (issue 15's profile: 2.9 s of the engine's 23 s on 100,000 rows).
    this.startTx = ctx.db.transaction((...args: Parameters<Statements['insert']['run']>) => void this.stmt.insert.run(...args)).immediate;
    this.appendTx = ctx.db.transaction(insertLogs).immediate;
    const finishRow = (id: string, input: FinishRunInput): boolean => {
      const e = input.error;
      const changed = this.stmt.finish.run(input.durationMs, input.status, e?.type ?? null, e?.message ?? null, e?.stack ?? null, input.recordIds ? JSON.stringify(input.recordIds) : null, id).changes;
      if (changed === 0) return false;
      if (input.result !== undefined) this.stmt.insertResult.run(summarize(input.result, this.inputSummaryBytes), id);
      if (input.logs?.length) insertLogs(this.stmt.seqOf.get(id)!.seq, input.logs);
      return true;
    };
    this.finishTx = ctx.db.transaction(finishRow).immediate;
    // A run that ended before its start was written: one transaction instead of two (issue 15).
    this.recordTx = ctx.db.transaction((start: Parameters<Statements['insert']['run']>, id: string, input: FinishRunInput) => {
      this.stmt.insert.run(...start);
      return finishRow(id, input);
    }).immediate;
    this.pruneTx = ctx.db.transaction((policy: Required<RetentionPolicy>, now: number) => {
      let runs = 0;
      let logs = 0;
      if (Number.isFinite(policy.maxAgeMs)) {
        logs += this.stmt.deleteLogsBefore.run(now - policy.maxAgeMs).changes;
        runs += this.stmt.deleteRunsBefore.run(now - policy.maxAgeMs).changes;
      }
      if (Number.isFinite(policy.keepPerFn)) {
        for (const { fn } of this.stmt.fns.all()) {
          const cutoff = this.stmt.cutoffForFn.get(fn, policy.keepPerFn);
          if (!cutoff) continue;
          logs += this.stmt.deleteLogsOfFnUpTo.run(fn, cutoff.seq).changes;
          runs += this.stmt.deleteRunsOfFnUpTo.run(fn, cutoff.seq).changes;
        }
      }
      return { runs, logs };
    }).immediate;
  }

  private startArgs(input: StartRunInput): Parameters<Statements['insert']['run']> {
    if (!input.fn || !input.trigger) throw new ValidationError(`runs.start: fn and trigger are required; got fn ${show(input.fn)}, trigger ${show(input.trigger)}.`);
    const summary = input.input === undefined ? null : summarize(input.input, this.inputSummaryBytes);
    return [input.id ?? randomUUID(), input.fn, input.trigger, input.attempt ?? 1, input.requestId ?? null, input.startedAt ?? this.ctx.clock.now(), JSON.stringify(input.recordIds ?? []), summary];
  }

  async start(input: StartRunInput): Promise<Run> {
    const args = this.startArgs(input);
    this.startTx(...args);
    const [id, fn, trigger, attempt, requestId, startedAt, , summary] = args;
    return { id, fn, trigger, attempt, ...(requestId ? { requestId } : {}), startedAt, status: 'running', recordIds: input.recordIds ?? [], ...(summary !== null ? { input: summary } : {}) };
  }

  async finish(id: string, input: FinishRunInput): Promise<Run> {
    if (!this.finishTx(id, input)) throw runNotFound(id);
    return this.finished(id);
  }

  async record(start: StartRunInput & { id: string }, finish: FinishRunInput): Promise<Run> {
    const args = this.startArgs(start);
    this.recordTx(args, args[0], finish);
    return this.finished(args[0]);
  }

  private finished(id: string): Run {
    if (this.pruneEvery > 0 && ++this.finishedSincePrune >= this.pruneEvery) {
      this.finishedSincePrune = 0;
      this.pruneTx(this.retention, this.ctx.clock.now());
    }
    return toRun(this.stmt.byId.get(id)!);
  }

  async appendLogs(id: string, logs: LogRecord[]): Promise<void> {
    const row = this.stmt.seqOf.get(id);
    if (!row) throw runNotFound(id);
    if (logs.length) this.appendTx(row.seq, logs);
  }

  async get(id: string): Promise<Run | undefined> {
    const row = this.stmt.byId.get(id);
    if (!row) return undefined;
    const cancel = this.cancelsOf().of(row.seq);
    return cancel ? { ...toRun(row), cancelRequest: cancel } : toRun(row);
  }

  private cancels?: LocalRunCancels;
  private cancelsOf(): LocalRunCancels {
    return (this.cancels ??= new LocalRunCancels(this.ctx.db, this.ctx.clock));
  }

  async requestCancel(id: string, request: CancelRequestInput = {}): Promise<Run> {
    this.cancelsOf().request(id, request);
    return (await this.get(id))!;
  }

  async cancelRequests(): Promise<CancelRequest[]> {
    return this.cancelsOf().pending();
  }

  async list(filter: ListRunsFilter = {}): Promise<Run[]> {
    if (filter.status !== undefined && !statuses.includes(filter.status)) {
      throw new ValidationError(`runs: status ${show(filter.status)} is not one of ${statuses.join(', ')}.`);
    }
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`runs: limit ${show(filter.limit)} must be a whole number of at least 1.`);
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.fn !== undefined) (where.push('fn = ?'), args.push(filter.fn));
    if (filter.status !== undefined) (where.push('status = ?'), args.push(filter.status));
    if (filter.trigger !== undefined) (where.push('trigger = ?'), args.push(filter.trigger));
    if (filter.before !== undefined) (where.push('started_at < ?'), args.push(filter.before));
    const sql = `SELECT ${runColumns} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC ${boundLimit}`;
    let stmt = this.listCache.get(sql);
    if (!stmt) this.listCache.set(sql, (stmt = this.ctx.db.prepare<Array<string | number>, RunRow>(sql)));
    return stmt.all(...args, limit).map(toRun);
  }

  private pager?: RunPager;
  async page(filter: RunPageFilter = {}): Promise<RunPage> {
    this.pager ??= new RunPager(this.ctx.db, toRun);
    return this.pager.page(filter);
  }

  async count(filter: RunCountFilter): Promise<RunCount[]> {
    this.pager ??= new RunPager(this.ctx.db, toRun);
    return this.pager.count(filter);
  }

  async logs(id: string, options: { limit?: number } = {}): Promise<LogRecord[]> {
    const row = this.stmt.seqOf.get(id);
    if (!row) throw runNotFound(id);
    return this.stmt.logs.all(row.seq, options.limit ?? -1).map((l) => ({ time: l.time, level: l.level as LogLevel, message: l.message }));
  }

  async prune(policy: RetentionPolicy = {}): Promise<{ runs: number; logs: number }> {
    const p = { keepPerFn: policy.keepPerFn ?? this.retention.keepPerFn, maxAgeMs: policy.maxAgeMs ?? this.retention.maxAgeMs };
    for (const [k, v] of Object.entries(p)) {
      if (!(v >= 0)) throw new ValidationError(`runs.prune: ${k} is ${show(v)}; it must be a number of at least 0 (Infinity: no limit).`);
    }
    return this.pruneTx(p, this.ctx.clock.now());
  }
}
