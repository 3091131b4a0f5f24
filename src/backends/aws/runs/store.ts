/**
 * The run history over DynamoDB (ports/runs.ts), in the tables `runs`, `run-logs` and `run-fns`
 * (state/tables.ts has the keys and indexes).
 *
 * A run is one item, `running` from start until finish writes its outcome (a run left running by a
 * dead process stays so until retention removes it). Its log lines are items (runId, seq): every
 * append first adds the number of lines to the run's `logCount` (one UpdateItem, which also says
 * whether the run exists) and takes seq numbers from the new count, then writes the lines with
 * BatchWriteItem, so lines keep write order and a prune deletes seq 1..logCount without reading them.
 *
 * Listing reads a GSI newest first (by fn, by status, or all) with `before` as a key condition and
 * the other filters as a FilterExpression, page after page until the limit is filled. Index reads
 * are eventually consistent on AWS: a run just started or finished can list a moment late.
 * Retention runs every `pruneEvery` finished runs and when `prune` is called, as on local.
 */
import { GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { defaults } from '../../../core/defaults.ts';
import { ConditionFailedError, ValidationError, show } from '../../../core/errors.ts';
import { summarize } from '../../../core/truncate.ts';
import type { LogRecord } from '../../../ports/executor.ts';
import { runStatuses as statuses } from '../../../ports/runs.ts';
import type { CancelRequest, CancelRequestInput, FinishRunInput, ListRunsFilter, RetentionPolicy, Run, RunCount, RunCountFilter, RunPage, RunPageFilter, RunStore, StartRunInput } from '../../../ports/runs.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { Expr, batchWrite, fromItem, orderKey, pad, queryPages, toItem, updateExpression, type Item } from '../state/dynamo.ts';
import { ensure } from '../state/tables.ts';
import { cancelRequestOf, runNotFound } from '../../shared/runs/cancel.ts';
import { AwsRunCancels } from './cancel.ts';
import { countRuns, pageRuns } from './page.ts';

export interface AwsRunStoreOptions {
  /** @defaultValue defaults.runs.keepPerFn and defaults.runs.maxAgeMs */
  retention?: RetentionPolicy;
  /** @defaultValue defaults.runs.inputSummaryBytes (1 KiB) */
  inputSummaryBytes?: number;
  /** Prune after this many finished runs; 0 turns automatic pruning off. @defaultValue defaults.runs.pruneEvery */
  pruneEvery?: number;
}

const ALL = 'run';

interface RunItem extends Omit<Run, 'input' | 'result'> {
  input?: string;
  result?: string;
  all: string;
  ord: string;
  logCount: number;
}

function toRun(i: RunItem): Run {
  return {
    id: i.id,
    fn: i.fn,
    trigger: i.trigger,
    attempt: i.attempt,
    ...(i.requestId !== undefined ? { requestId: i.requestId } : {}),
    startedAt: i.startedAt,
    ...(i.durationMs !== undefined ? { durationMs: i.durationMs } : {}),
    status: i.status,
    ...(i.error ? { error: { type: i.error.type, message: i.error.message, ...(i.error.stack !== undefined ? { stack: i.error.stack } : {}) } } : {}),
    recordIds: i.recordIds ?? [],
    ...(i.input !== undefined ? { input: i.input } : {}),
    ...(i.result !== undefined ? { result: i.result } : {}),
    ...(i.cancelRequest ? { cancelRequest: cancelRequestOf(i.cancelRequest.at, i.cancelRequest.by) } : {}),
  };
}

export class AwsRunStore implements RunStore {
  private readonly retention: Required<RetentionPolicy>;
  private readonly inputSummaryBytes: number;
  private readonly pruneEvery: number;
  private finishedSincePrune = 0;
  /** Functions this process has recorded in run-fns. */
  private readonly knownFns = new Set<string>();
  private readonly cancels: AwsRunCancels;

  constructor(
    private readonly ctx: AwsContext,
    options: AwsRunStoreOptions = {},
  ) {
    this.retention = { keepPerFn: options.retention?.keepPerFn ?? defaults.runs.keepPerFn, maxAgeMs: options.retention?.maxAgeMs ?? defaults.runs.maxAgeMs };
    this.inputSummaryBytes = options.inputSummaryBytes ?? defaults.runs.inputSummaryBytes;
    this.pruneEvery = options.pruneEvery ?? defaults.runs.pruneEvery;
    this.cancels = new AwsRunCancels(ctx);
  }

  private get ddb() {
    return this.ctx.clients.dynamodb;
  }

  async start(input: StartRunInput): Promise<Run> {
    if (!input.fn || !input.trigger) throw new ValidationError(`runs.start: fn and trigger are required; got fn ${show(input.fn)}, trigger ${show(input.trigger)}.`);
    const id = input.id ?? randomUUID();
    const startedAt = input.startedAt ?? this.ctx.clock.now();
    const summary = input.input === undefined ? undefined : summarize(input.input, this.inputSummaryBytes);
    const run: Run = { id, fn: input.fn, trigger: input.trigger, attempt: input.attempt ?? 1, ...(input.requestId ? { requestId: input.requestId } : {}), startedAt, status: 'running', recordIds: input.recordIds ?? [], ...(summary !== undefined ? { input: summary } : {}) };
    const table = await ensure(this.ctx, 'runs');
    const e = new Expr();
    const put = call(this.ctx.at('dynamodb', 'start run', show(id)), () =>
      this.ddb.send(new PutItemCommand({ TableName: table, Item: toItem({ ...run, all: ALL, ord: orderKey(startedAt), logCount: 0 }), ConditionExpression: `attribute_not_exists(${e.name('id')})`, ...e.params() })),
    ).catch((err: unknown) => {
      throw err instanceof ConditionFailedError ? new ConditionFailedError(`Run ${show(id)} already exists.`, { action: 'Start the run without an id, or with a new one.' }) : err;
    });
    await Promise.all([put, this.noteFn(input.fn)]);
    return run;
  }

  async finish(id: string, input: FinishRunInput): Promise<Run> {
    const logs = input.logs ?? [];
    const e = new Expr();
    const result = input.result === undefined ? undefined : summarize(input.result, this.inputSummaryBytes);
    const set = { status: input.status, durationMs: input.durationMs, error: input.error, recordIds: input.recordIds, result };
    const item = await this.update(id, 'finish run', e, updateExpression(e, set, input.error ? [] : ['error'], { logCount: logs.length }));
    await this.writeLogs(id, item.logCount - logs.length, logs);
    // A run someone asked to cancel leaves the index of requests once it has ended, however it ended (cancel.ts).
    if (item.cancelRequest) await this.cancels.settle(id);
    if (this.pruneEvery > 0 && ++this.finishedSincePrune >= this.pruneEvery) {
      this.finishedSincePrune = 0;
      await this.prune(this.retention);
    }
    return toRun(item);
  }

  async appendLogs(id: string, logs: LogRecord[]): Promise<void> {
    if (!logs.length) {
      if (!(await this.read(id))) throw runNotFound(id);
      return;
    }
    const e = new Expr();
    const item = await this.update(id, 'append logs', e, updateExpression(e, {}, [], { logCount: logs.length }));
    await this.writeLogs(id, item.logCount - logs.length, logs);
  }

  async get(id: string): Promise<Run | undefined> {
    const item = await this.read(id);
    return item ? toRun(item) : undefined;
  }

  async list(filter: ListRunsFilter = {}): Promise<Run[]> {
    if (filter.status !== undefined && !statuses.includes(filter.status)) {
      throw new ValidationError(`runs: status ${show(filter.status)} is not one of ${statuses.join(', ')}.`);
    }
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`runs: limit ${show(filter.limit)} must be a whole number of at least 1.`);
    const e = new Expr();
    const [index, partition, value] = filter.fn !== undefined ? ['by-fn', 'fn', filter.fn] : filter.status !== undefined ? ['by-status', 'status', filter.status] : ['by-all', 'all', ALL];
    const key = `${e.eq(partition, value)}${filter.before !== undefined ? ` AND ${e.name('ord')} < ${e.value(pad(filter.before))}` : ''}`;
    const filters: string[] = [];
    if (filter.status !== undefined && partition !== 'status') filters.push(e.eq('status', filter.status));
    if (filter.trigger !== undefined) filters.push(e.eq('trigger', filter.trigger));
    const out: Run[] = [];
    await queryPages(this.ctx, 'runs', { TableName: await ensure(this.ctx, 'runs'), IndexName: index, KeyConditionExpression: key, ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}), ScanIndexForward: false, Limit: filters.length ? Math.max(100, limit) : limit, ...e.params() }, (items) => {
      for (const i of items) if (out.length < limit) out.push(toRun(fromItem<RunItem>(i)));
      return out.length >= limit;
    });
    return out;
  }

  async requestCancel(id: string, request: CancelRequestInput = {}): Promise<Run> {
    // A refused request (already asked) hands back the run it read to say so: no second read.
    const asked = await this.cancels.request(id, request, () => this.read(id));
    const item = asked ?? (await this.read(id));
    if (!item) throw runNotFound(id);
    return toRun(item);
  }

  cancelRequests(): Promise<CancelRequest[]> {
    return this.cancels.pending();
  }

  page(filter: RunPageFilter = {}): Promise<RunPage> {
    return pageRuns<RunItem>(this.ctx, ALL, filter, toRun);
  }

  count(filter: RunCountFilter): Promise<RunCount[]> {
    return countRuns(this.ctx, ALL, filter);
  }

  async logs(id: string, options: { limit?: number } = {}): Promise<LogRecord[]> {
    if (!(await this.read(id))) throw runNotFound(id);
    const limit = options.limit ?? Infinity;
    const out: LogRecord[] = [];
    const e = new Expr();
    await queryPages(this.ctx, `logs of run ${show(id)}`, { TableName: await ensure(this.ctx, 'run-logs'), KeyConditionExpression: e.eq('runId', id), ConsistentRead: true, ...(Number.isFinite(limit) ? { Limit: limit } : {}), ...e.params() }, (items) => {
      for (const i of items) if (out.length < limit) out.push(fromItem<LogRecord>(i));
      return out.length >= limit;
    });
    return out.map((l) => ({ time: l.time, level: l.level, message: l.message }));
  }

  async prune(policy: RetentionPolicy = {}): Promise<{ runs: number; logs: number }> {
    const p = { keepPerFn: policy.keepPerFn ?? this.retention.keepPerFn, maxAgeMs: policy.maxAgeMs ?? this.retention.maxAgeMs };
    for (const [k, v] of Object.entries(p)) {
      if (!(v >= 0)) throw new ValidationError(`runs.prune: ${k} is ${show(v)}; it must be a number of at least 0 (Infinity: no limit).`);
    }
    const table = await ensure(this.ctx, 'runs');
    const doomed = new Map<string, number>(); // run id -> its logCount
    const asked = new Set<string>(); // doomed runs with a cancel request
    const project = (e: Expr) => [e.name('id'), e.name('logCount'), e.name('cancelRequest')].join(', ');
    const note = (i: Item) => {
      if (i.cancelRequest) asked.add(pair(i)[0]);
    };
    if (Number.isFinite(p.maxAgeMs)) {
      const e = new Expr();
      await queryPages(this.ctx, 'runs', { TableName: table, IndexName: 'by-all', KeyConditionExpression: `${e.eq('all', ALL)} AND ${e.name('ord')} < ${e.value(pad(this.ctx.clock.now() - p.maxAgeMs))}`, ProjectionExpression: project(e), ...e.params() }, (items) => {
        for (const i of items) {
          doomed.set(...pair(i));
          note(i);
        }
      });
    }
    if (Number.isFinite(p.keepPerFn)) {
      for (const fn of await this.fns()) {
        const e = new Expr();
        let kept = 0;
        await queryPages(this.ctx, 'runs', { TableName: table, IndexName: 'by-fn', KeyConditionExpression: e.eq('fn', fn), ScanIndexForward: false, ProjectionExpression: project(e), ...e.params() }, (items) => {
          for (const i of items) {
            const [id, count] = pair(i);
            if (doomed.has(id)) continue;
            if (kept < p.keepPerFn) kept++;
            else {
              doomed.set(id, count);
              note(i);
            }
          }
        });
      }
    }
    const logs: WriteRequest[] = [];
    for (const [runId, count] of doomed) for (let seq = 1; seq <= count; seq++) logs.push({ DeleteRequest: { Key: toItem({ runId, seq }) } });
    await batchWrite(this.ctx, await ensure(this.ctx, 'run-logs'), logs);
    if (asked.size) await batchWrite(this.ctx, await ensure(this.ctx, 'run-cancels'), this.cancels.deletes(asked));
    await batchWrite(this.ctx, table, [...doomed.keys()].map((id) => ({ DeleteRequest: { Key: toItem({ id }) } })));
    return { runs: doomed.size, logs: logs.length };
  }

  /** One conditional UpdateItem on an existing run; NotFoundError when there is none. */
  private async update(id: string, op: string, e: Expr, expression: string): Promise<RunItem> {
    const table = await ensure(this.ctx, 'runs');
    try {
      const out = await call(this.ctx.at('dynamodb', op, show(id)), () =>
        this.ddb.send(new UpdateItemCommand({ TableName: table, Key: toItem({ id }), UpdateExpression: expression, ConditionExpression: `attribute_exists(${e.name('id')})`, ReturnValues: 'ALL_NEW', ...e.params() })),
      );
      return fromItem<RunItem>(out.Attributes as Item);
    } catch (err) {
      throw err instanceof ConditionFailedError ? runNotFound(id) : err;
    }
  }

  private async read(id: string): Promise<RunItem | undefined> {
    const table = await ensure(this.ctx, 'runs');
    const out = await call(this.ctx.at('dynamodb', 'get run', show(id)), () => this.ddb.send(new GetItemCommand({ TableName: table, Key: toItem({ id }), ConsistentRead: true })));
    return out.Item ? fromItem<RunItem>(out.Item) : undefined;
  }

  /** Writes lines after the first `after` of the run: seq after+1, after+2, ... */
  private async writeLogs(runId: string, after: number, logs: readonly LogRecord[]): Promise<void> {
    if (!logs.length) return;
    const table = await ensure(this.ctx, 'run-logs');
    await batchWrite(this.ctx, table, logs.map((l, i) => ({ PutRequest: { Item: toItem({ runId, seq: after + i + 1, time: Math.round(l.time), level: l.level, message: l.message }) } })));
  }

  private async noteFn(fn: string): Promise<void> {
    if (this.knownFns.has(fn)) return;
    const table = await ensure(this.ctx, 'run-fns');
    await call(this.ctx.at('dynamodb', 'note function', show(fn)), () => this.ddb.send(new PutItemCommand({ TableName: table, Item: toItem({ fn }) })));
    this.knownFns.add(fn);
  }

  /** Every function with runs: a Scan of run-fns, which holds one small item per function name. */
  private async fns(): Promise<string[]> {
    const table = await ensure(this.ctx, 'run-fns');
    const out: string[] = [];
    let start: Item | undefined;
    do {
      const page = await call(this.ctx.at('dynamodb', 'list functions', `table "${table}"`), () => this.ddb.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) })));
      for (const i of page.Items ?? []) out.push(fromItem<{ fn: string }>(i as Item).fn);
      start = page.LastEvaluatedKey as Item | undefined;
    } while (start);
    return out;
  }
}

function pair(i: Item): [string, number] {
  const r = fromItem<{ id: string; logCount?: number }>(i);
  return [r.id, r.logCount ?? 0];
}

