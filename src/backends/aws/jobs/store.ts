/**
 * The job store over DynamoDB (ports/jobs.ts), in the tables `jobs` and `job-steps`
 * (state/tables.ts has the keys and indexes); the map ledger is in map-ledger.ts.
 *
 * Job states, as the port says:
 *   queued -> running (claim: relay + 1) -> queued (continue, retry, suspend) | succeeded | failed
 *   any non-final -> cancelled
 * Every transition is one UpdateItem whose ConditionExpression is the transition's guard: claim
 * needs status queued or running, cancel queued or running, settle `relay = :relay AND status =
 * running`. A queued job carries `dueKey` (wakeAt, then creation order), which puts it in the
 * `due` index; every transition out of queued removes it.
 *
 * The relay fence: checkpoint and progress are UpdateItems conditioned on the relay and status
 * running; a journal write is a TransactWriteItems of a ConditionCheck on the job and a Put of the
 * step. A failed condition returns the job as it was (ReturnValuesOnConditionCheckFailure), which
 * tells a stale relay (StaleReceiptError) from a cancelled or finished job (ConditionFailedError),
 * worded as on local. A settle that fails its condition changes nothing and returns the job.
 *
 * Size: a DynamoDB item holds at most 400 KB, the job's input, checkpoint and result together; a
 * checkpoint, result or step that does not fit is refused with TooLargeError, worded as the
 * runtime's CheckpointTooLargeError. Step results over the runtime's stepInlineBytes never reach
 * here inline: the runtime stores them as objects and journals a resultRef.
 */
import { GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { ConditionFailedError, NotFoundError, StaleReceiptError, TooLargeError, show, type SerializedError } from '../../../core/errors.ts';
import type { ExecutorKind } from '../../../core/resources/fn.ts';
import { formatSize } from '../../../core/size.ts';
import type { CreateJobInput, Job, JobPageFilter, JobProgress, JobStatus, JobStore, JobStoreConnection, ListJobsFilter, ListPage, Settlement, StepEntry } from '../../../ports/jobs.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { awsEnv } from '../options.ts';
import { Expr, fromItem, itemOfFailedCondition, orderKey, pad, queryPages, toItem, updateExpression, type Item } from '../state/dynamo.ts';
import { ensure } from '../state/tables.ts';
import { AwsMapLedger } from './map-ledger.ts';
import { pageByOrd } from './page.ts';

const ALL = 'job';
const ITEM_LIMIT = 400 * 1024;
const final = new Set<JobStatus>(['succeeded', 'failed', 'cancelled']);

/** A job as stored: JSON values as strings (any JSON, kept exactly), progress flattened. */
interface JobItem {
  id: string;
  fn: string;
  status: JobStatus;
  input?: string;
  checkpoint?: string;
  checkpointSeq: number;
  relay: number;
  failures: number;
  stalls: number;
  executor: ExecutorKind;
  progressDone?: number;
  progressTotal?: number;
  wakeAt?: number;
  waitingFor?: string;
  result?: string;
  error?: SerializedError;
  budget: Job['budget'];
  createdAt: number;
  updatedAt: number;
  all: string;
  ord: string;
  dueKey?: string;
}

function toJob(i: JobItem): Job {
  return {
    id: i.id,
    fn: i.fn,
    status: i.status,
    input: i.input === undefined ? undefined : (JSON.parse(i.input) as unknown),
    ...(i.checkpoint !== undefined ? { checkpoint: JSON.parse(i.checkpoint) as unknown } : {}),
    checkpointSeq: i.checkpointSeq,
    relay: i.relay,
    failures: i.failures,
    stalls: i.stalls,
    executor: i.executor,
    ...(i.progressDone !== undefined ? { progress: { done: i.progressDone, ...(i.progressTotal !== undefined ? { total: i.progressTotal } : {}) } } : {}),
    ...(i.wakeAt !== undefined ? { wakeAt: i.wakeAt } : {}),
    ...(i.waitingFor !== undefined ? { waitingFor: i.waitingFor } : {}),
    ...(i.result !== undefined ? { result: JSON.parse(i.result) as unknown } : {}),
    ...(i.error ? { error: i.error } : {}),
    budget: i.budget,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
  };
}

interface StepItem extends Omit<StepEntry, never> {
  jobId: string;
}

function toStep(i: StepItem): StepEntry {
  return {
    position: i.position,
    name: i.name,
    status: i.status,
    ...(i.resultJson !== undefined ? { resultJson: i.resultJson } : {}),
    ...(i.resultRef ? { resultRef: { bucket: i.resultRef.bucket, key: i.resultRef.key } } : {}),
    attempts: i.attempts,
    ...(i.startedAt !== undefined ? { startedAt: i.startedAt } : {}),
    ...(i.wakeAt !== undefined ? { wakeAt: i.wakeAt } : {}),
    ...(i.error ? { error: i.error } : {}),
  };
}

const dueKey = (wakeAt: number, ord: string) => `${pad(wakeAt)}|${ord}`;

export class AwsJobStore implements JobStore {
  readonly maps: AwsMapLedger;

  constructor(private readonly ctx: AwsContext) {
    this.maps = new AwsMapLedger(ctx);
  }

  private get ddb() {
    return this.ctx.clients.dynamodb;
  }

  async create(input: CreateJobInput): Promise<Job> {
    const now = this.ctx.clock.now();
    const id = input.id ?? randomUUID();
    const ord = orderKey(now);
    const item: JobItem = { id, fn: input.fn, status: 'queued', ...(input.input !== undefined ? { input: JSON.stringify(input.input) } : {}), checkpointSeq: 0, relay: 0, failures: 0, stalls: 0, executor: input.executor, wakeAt: now, budget: input.budget, createdAt: now, updatedAt: now, all: ALL, ord, dueKey: dueKey(now, ord) };
    const table = await ensure(this.ctx, 'jobs');
    const e = new Expr();
    try {
      await call(this.ctx.at('dynamodb', 'create job', show(id)), () => this.ddb.send(new PutItemCommand({ TableName: table, Item: toItem({ ...item }), ConditionExpression: `attribute_not_exists(${e.name('id')})`, ...e.params() })));
    } catch (err) {
      if (err instanceof ConditionFailedError) throw new ConditionFailedError(`job ${show(id)} already exists.`, { action: 'Start the job without an id, or with a new one.' });
      if (err instanceof TooLargeError) throw new TooLargeError(`job ${show(id)}: its input is too large to store (a DynamoDB item holds at most ${formatSize(ITEM_LIMIT)}).`, { action: 'Store the input as an object (objects.put) and pass its key instead.' });
      throw err;
    }
    return toJob(item);
  }

  async get(id: string): Promise<Job | undefined> {
    const i = await this.read(id);
    return i ? toJob(i) : undefined;
  }

  async list(filter: ListJobsFilter = {}): Promise<Job[]> {
    const limit = filter.limit ?? 50;
    const e = new Expr();
    const key = filter.fn ? e.eq('fn', filter.fn) : e.eq('all', ALL);
    const out: Job[] = [];
    await queryPages(this.ctx, 'jobs', { TableName: await ensure(this.ctx, 'jobs'), IndexName: filter.fn ? 'by-fn' : 'by-all', KeyConditionExpression: key, ...(filter.status ? { FilterExpression: e.eq('status', filter.status) } : {}), ScanIndexForward: false, Limit: filter.status ? Math.max(100, limit) : limit, ...e.params() }, (items) => {
      for (const i of items) if (out.length < limit) out.push(toJob(fromItem<JobItem>(i)));
      return out.length >= limit;
    });
    return out;
  }

  page(filter: JobPageFilter = {}): Promise<ListPage<Job>> {
    return pageByOrd<JobItem, Job>(this.ctx, 'jobs', ALL, filter, toJob);
  }

  async claim(id: string): Promise<Job | undefined> {
    const e = new Expr();
    const update = updateExpression(e, { status: 'running', updatedAt: this.ctx.clock.now() }, ['wakeAt', 'waitingFor', 'dueKey'], { relay: 1 });
    const r = await this.update(id, 'claim job', e, update, `${e.name('status')} IN (${e.value('queued')}, ${e.value('running')})`);
    return 'job' in r ? r.job : undefined;
  }

  async settle(id: string, relay: number, o: Settlement): Promise<Job> {
    const e = new Expr();
    const now = this.ctx.clock.now();
    const set: Record<string, unknown> = { status: o.kind, updatedAt: now };
    const remove: string[] = [];
    if (o.kind === 'succeeded') (set.result = JSON.stringify(o.result ?? null)), remove.push('wakeAt', 'dueKey');
    if (o.kind === 'failed') (set.error = o.error), remove.push('wakeAt', 'dueKey');
    if (o.kind === 'queued') {
      const current = await this.read(id);
      Object.assign(set, { wakeAt: o.wakeAt, dueKey: dueKey(o.wakeAt, current?.ord ?? orderKey(now)), waitingFor: o.waitingFor, stalls: o.stalls, executor: o.executor });
      if (o.waitingFor === undefined) remove.push('waitingFor');
    }
    if (o.kind !== 'succeeded' && o.failures !== undefined) set.failures = o.failures;
    try {
      const r = await this.update(id, 'settle job', e, updateExpression(e, set, remove), this.fence(e, relay));
      if ('job' in r) return r.job;
      if (!r.was) throw jobNotFound(id);
      return toJob(r.was);
    } catch (err) {
      if (err instanceof TooLargeError && o.kind === 'succeeded') {
        throw new TooLargeError(`job ${show(id)}: its result is too large to store (a DynamoDB item holds at most ${formatSize(ITEM_LIMIT)} with the job's input and checkpoint).`, { action: 'Store the result as an object (objects.put) and return its key instead.' });
      }
      throw err;
    }
  }

  async cancel(id: string): Promise<Job> {
    const e = new Expr();
    const update = updateExpression(e, { status: 'cancelled', updatedAt: this.ctx.clock.now() }, ['wakeAt', 'dueKey']);
    const r = await this.update(id, 'cancel job', e, update, `${e.name('status')} IN (${e.value('queued')}, ${e.value('running')})`);
    if ('job' in r) return r.job;
    if (!r.was) throw jobNotFound(id);
    return toJob(r.was);
  }

  async due(now: number, limit = 100): Promise<Job[]> {
    const e = new Expr();
    const out: Job[] = [];
    const key = `${e.eq('status', 'queued')} AND ${e.name('dueKey')} < ${e.value(pad(Math.floor(now) + 1))}`;
    await queryPages(this.ctx, 'jobs', { TableName: await ensure(this.ctx, 'jobs'), IndexName: 'due', KeyConditionExpression: key, Limit: limit, ...e.params() }, (items) => {
      for (const i of items) {
        const job = toJob(fromItem<JobItem>(i));
        if (out.length < limit && job.status === 'queued' && (job.wakeAt ?? 0) <= now) out.push(job);
      }
      return out.length >= limit;
    });
    return out;
  }

  async checkpoint(id: string, relay: number, checkpointJson: string, progress?: JobProgress): Promise<void> {
    const e = new Expr();
    const update = updateExpression(e, { checkpoint: checkpointJson, progressDone: progress?.done, progressTotal: progress?.total, updatedAt: this.ctx.clock.now() }, [], { checkpointSeq: 1 });
    try {
      await this.fenced(id, relay, 'checkpoint', e, update);
    } catch (err) {
      if (!(err instanceof TooLargeError)) throw err;
      throw new TooLargeError(`job ${show(id)}: the checkpoint is ${formatSize(Buffer.byteLength(checkpointJson))}, over the limit of ${formatSize(ITEM_LIMIT)} that a DynamoDB item holds with the job's input.`, {
        action: 'Store the value as an object (objects.put) and checkpoint its key instead.',
      });
    }
  }

  async progress(id: string, relay: number, p: JobProgress): Promise<void> {
    const e = new Expr();
    await this.fenced(id, relay, 'progress', e, updateExpression(e, { progressDone: p.done, progressTotal: p.total, updatedAt: this.ctx.clock.now() }));
  }

  async steps(id: string): Promise<StepEntry[]> {
    const e = new Expr();
    const out: StepEntry[] = [];
    await queryPages(this.ctx, `steps of job ${show(id)}`, { TableName: await ensure(this.ctx, 'job-steps'), KeyConditionExpression: e.eq('jobId', id), ConsistentRead: true, ...e.params() }, (items) => {
      for (const i of items) out.push(toStep(fromItem<StepItem>(i)));
    });
    return out;
  }

  async journal(id: string, relay: number, entry: StepEntry): Promise<void> {
    const [jobs, steps] = await Promise.all([ensure(this.ctx, 'jobs'), ensure(this.ctx, 'job-steps')]);
    const e = new Expr();
    const condition = this.fence(e, relay);
    const what = `step "${entry.name}"`;
    try {
      await call(this.ctx.at('dynamodb', 'journal step', `job ${show(id)}`), () =>
        this.ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { ConditionCheck: { TableName: jobs, Key: toItem({ id }), ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...e.params() } },
              { Put: { TableName: steps, Item: toItem({ jobId: id, ...entry }) } },
            ],
          }),
        ),
      );
    } catch (err) {
      if (err instanceof ConditionFailedError) this.refuse(id, relay, what, itemOfFailedCondition(err));
      if (err instanceof TooLargeError) {
        throw new TooLargeError(`job ${show(id)}: ${what} is too large to journal (a DynamoDB item holds at most ${formatSize(ITEM_LIMIT)}).`, { action: 'Lower jobs.stepInlineBytes so larger step results are stored as objects (resultRef).' });
      }
      throw err;
    }
  }

  /** The handler side opens the aws backend from this environment (region, endpoints, prefix); credentials come from its own environment. */
  connection(): JobStoreConnection {
    const env: Record<string, string> = { AWS_REGION: this.ctx.region, [awsEnv.prefix]: this.ctx.names.prefix };
    const ddb = this.ctx.clients.endpoint('dynamodb');
    if (ddb) env.AWS_ENDPOINT_URL_DYNAMODB = ddb;
    const s3 = this.ctx.clients.endpoint('s3');
    if (s3) env.AWS_ENDPOINT_URL_S3 = s3;
    return { backend: 'aws', env };
  }

  /** `relay = :relay AND status = running`: the relay fence. */
  private fence(e: Expr, relay: number): string {
    return `${e.eq('relay', relay)} AND ${e.eq('status', 'running')}`;
  }

  /** A handler-side write fenced on the relay; a refused one throws as the port says. */
  private async fenced(id: string, relay: number, what: string, e: Expr, update: string): Promise<void> {
    const r = await this.update(id, `save ${what}`, e, update, this.fence(e, relay));
    if (!('job' in r)) this.refuse(id, relay, what, r.was);
  }

  /**
   * One conditional UpdateItem; returns the job as it now is, or as it was when the condition
   * did not hold (`was` undefined: there is no such job).
   */
  private async update(id: string, op: string, e: Expr, expression: string, condition: string): Promise<{ job: Job } | { was: JobItem | undefined }> {
    const table = await ensure(this.ctx, 'jobs');
    const input: UpdateItemCommandInput = { TableName: table, Key: toItem({ id }), UpdateExpression: expression, ConditionExpression: condition, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...e.params() };
    try {
      const out = await call(this.ctx.at('dynamodb', op, `job ${show(id)}`), () => this.ddb.send(new UpdateItemCommand(input)));
      return { job: toJob(fromItem<JobItem>(out.Attributes as Item)) };
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      const old = itemOfFailedCondition(err);
      return { was: old ? fromItem<JobItem>(old) : await this.read(id) };
    }
  }

  private async read(id: string): Promise<JobItem | undefined> {
    const table = await ensure(this.ctx, 'jobs');
    const out = await call(this.ctx.at('dynamodb', 'get job', show(id)), () => this.ddb.send(new GetItemCommand({ TableName: table, Key: toItem({ id }), ConsistentRead: true })));
    return out.Item ? fromItem<JobItem>(out.Item) : undefined;
  }

  /** Why a fenced write was refused (`f`: the job as it was), worded as on local. */
  private refuse(id: string, relay: number, what: string, f: Pick<JobItem, 'status' | 'relay'> | Item | undefined): never {
    const job = f && 'status' in f && typeof f.status === 'object' ? fromItem<JobItem>(f as Item) : (f as Pick<JobItem, 'status' | 'relay'> | undefined);
    if (!job) throw new NotFoundError(`job "${id}" does not exist, so its ${what} cannot be saved.`);
    if (job.status === 'cancelled') throw new ConditionFailedError(`job "${id}" was cancelled; its ${what} was not saved and this relay should end.`);
    if (final.has(job.status)) throw new ConditionFailedError(`job "${id}" has already ${job.status}; its ${what} was not saved.`);
    throw new StaleReceiptError(`job "${id}": relay ${relay} is no longer current (relay ${job.relay} is); its ${what} was not saved.`, { action: 'This relay was given up on (timed out or its process died); the current relay resumes from the last saved checkpoint.' });
  }
}

function jobNotFound(id: string): NotFoundError {
  return new NotFoundError(`job "${id}" does not exist.`, { action: 'List jobs with `baton jobs`.' });
}
