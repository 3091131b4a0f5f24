import { z } from 'zod';
import { defaults } from '../defaults.ts';
import { DefinitionError } from '../errors.ts';
import { define, durationField, nameSchema, type Resource } from './define.ts';
import { oneOf } from './shapes.ts';
import { targetField, type TargetRef } from './target.ts';

/** Where a failed invocation or a failed stream batch goes: a queue or a topic (Lambda's on-failure destinations). */
const destination = targetField(['queue', 'topic'], 'an on-failure destination');

/** The resource kinds a function can name in `uses`. */
export const usesKinds = ['bucket', 'queue', 'table', 'topic', 'params', 'fn', 'firehose'] as const;
export type UsesKind = (typeof usesKinds)[number];

const usesRef = z.string().refine((v) => {
  const at = v.indexOf(':');
  return at > 0 && (usesKinds as readonly string[]).includes(v.slice(0, at)) && v.length > at + 1;
}, `expected '<kind>:<name>' with kind one of ${usesKinds.join(', ')}, such as 'table:orders' or 'params:/app'`);

const queueTrigger = z.strictObject({
  queue: nameSchema,
  /** Messages per invocation. @defaultValue 10 */
  batchSize: z.number().int().min(1).max(10_000).optional(),
  /** Wait up to this long to fill a batch. @defaultValue 0 */
  batchingWindow: durationField(0, 300_000).optional(),
  /** Concurrent invocations for this trigger. @defaultValue the function's concurrency */
  maxConcurrency: z.number().int().min(1).max(1000).optional(),
  /** Honour `batchItemFailures` in the handler's result. @defaultValue true */
  reportBatchItemFailures: z.boolean().optional(),
});

const streamTrigger = z.strictObject({
  table: nameSchema,
  /** Records per invocation. @defaultValue 100 */
  batchSize: z.number().int().min(1).max(defaults.fn.maxStreamBatchSize).optional(),
  /**
   * Batches handled at once (Lambda's ParallelizationFactor): records are split by partition key,
   * so the changes of one partition key still arrive in order. @defaultValue 1
   */
  parallelizationFactor: z.number().int().min(1).max(10).optional(),
  /** On error, split the batch in two and retry each half. @defaultValue false */
  bisectOnError: z.boolean().optional(),
  /** Retries of a failing batch before it goes to onFailure and is skipped. @defaultValue 2 */
  maxRetryAttempts: z.number().int().min(0).max(10_000).optional(),
  onFailure: destination.optional(),
  /**
   * Honour `batchItemFailures` in the handler's result (Lambda's ReportBatchItemFailures): the
   * records before the lowest failed sequence number are checkpointed, that record and the ones
   * after it are retried. Off, a returned `batchItemFailures` is ignored, as Lambda ignores it.
   * @defaultValue false (as Lambda; queue triggers default to true)
   */
  reportBatchItemFailures: z.boolean().optional(),
  /**
   * Only records of these kinds invoke the function (Lambda's filter criteria on eventName); the
   * others are skipped and committed. @defaultValue every kind
   */
  filter: z.strictObject({ eventName: z.array(z.enum(['INSERT', 'MODIFY', 'REMOVE'])).min(1) }).optional(),
});

const options = z.strictObject({
  /** The handler's export name. @defaultValue 'handler' */
  handler: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'expected an export name such as "handler"').optional(),
  /** Hard time limit per invocation. @defaultValue 3s (Lambda's default); at most 15m */
  timeout: durationField(1, defaults.fn.maxTimeoutMs).optional(),
  /** Invocations at once (warm workers). @defaultValue 4 */
  concurrency: z.number().int().min(1).max(1000).optional(),
  /** Memory in MB, applied as the worker's heap limit. @defaultValue 1024 */
  memory: z.number().int().min(128).max(10_240).optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** Where invocations run: 'function' (worker threads, the time limit) or 'container' (a child process, no time limit). @defaultValue 'function' */
  executor: z.enum(['function', 'container']).optional(),
  /** Picks the executor per invocation from its event (seed 001's if/then/else rule, e.g. by size); overrides `executor`. */
  route: z.custom<FnRoute>((v) => typeof v === 'function', 'expected a function (event) => "function" | "container"').optional(),
  /** Async invocations: retries after the first attempt. @defaultValue 2 (as Lambda) */
  retries: z.number().int().min(0).max(2).optional(),
  /** Where a failed async invocation goes after its retries. */
  onFailure: destination.optional(),
  triggers: z
    .array(
      oneOf('a trigger', [{ what: 'a queue trigger', key: 'queue', schema: queueTrigger }, { what: "a table's stream trigger", key: 'table', schema: streamTrigger }], {
        bucket: "a bucket invokes a function through its notifications instead: bucket('<bucket>', { notifications: [{ target: { fn: '<fn>' } }] })",
        schedule: "a schedule invokes a function through its target instead: schedule('<name>', { expression: 'rate(5 minutes)', target: { fn: '<fn>' } })",
        topic: "a topic invokes a function through its subscribers instead: topic('<topic>', { subscribers: [{ fn: '<fn>' }] })",
        stream: "a table's stream trigger is { table: '<table>' } (the table declared with stream: true)",
      }),
    )
    .optional(),
  /**
   * The resources the handler reaches through connect() besides its triggers and destinations, as
   * '<kind>:<name>' ('table:orders', 'bucket:uploads', 'params:/app'): on AWS the function is
   * granted access to exactly these (least privilege). @defaultValue none
   */
  uses: z.array(usesRef).optional(),
});

/** A resolved on-failure destination. */
export type Destination = TargetRef<'queue' | 'topic'>;

/** The two executors: `function` (time-limited worker threads) and `container` (a child process, no time limit). */
export type ExecutorKind = 'function' | 'container';

/** A routing rule: the executor for one invocation, chosen from its event. */
export type FnRoute = (event: unknown) => ExecutorKind;

export interface QueueTriggerConfig {
  kind: 'queue';
  queue: string;
  batchSize: number;
  batchingWindowMs: number;
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
}

export interface StreamTriggerConfig {
  kind: 'stream';
  table: string;
  batchSize: number;
  parallelizationFactor: number;
  bisectOnError: boolean;
  maxRetryAttempts: number;
  onFailure?: Destination;
  /** Honour `batchItemFailures` (sequence numbers) in the handler's result. */
  reportBatchItemFailures: boolean;
  /** Record kinds that invoke the function; absent: all. */
  eventNames?: ReadonlyArray<'INSERT' | 'MODIFY' | 'REMOVE'>;
}

export interface FnConfig {
  name: string;
  /** The handler module as written; relative paths are resolved against the config file's folder. */
  module: string;
  handler: string;
  timeoutMs: number;
  concurrency: number;
  memoryMb: number;
  env: Record<string, string>;
  executor: ExecutorKind;
  /** When set, a routing executor asks it for each invocation (runtime/container/router.ts). */
  route?: FnRoute;
  retries: number;
  onFailure?: Destination;
  triggers: Array<QueueTriggerConfig | StreamTriggerConfig>;
  /** Resources named in `uses`, checked by app() to exist. */
  uses?: Array<{ kind: UsesKind; name: string }>;
}

export type FnOptions = z.input<typeof options>;
export type FnResource = Resource<'fn', FnConfig>;

/** Declares a function: an AWS Lambda handler module run with Lambda's semantics. */
export function fn(name: string, module: string, opts: FnOptions = {}): FnResource {
  const { name: n, options: o } = define('fn', name, options, opts);
  if (typeof module !== 'string' || module.trim() === '') {
    throw new DefinitionError(`fn "${n}": the module path must be a non-empty string such as './handlers/${n}.ts'.`);
  }
  const f = defaults.fn;
  const concurrency = o.concurrency ?? f.concurrency;
  return {
    kind: 'fn',
    name: n,
    config: {
      name: n,
      module,
      handler: o.handler ?? 'handler',
      timeoutMs: o.timeout ?? f.timeoutMs,
      concurrency,
      memoryMb: o.memory ?? f.memoryMb,
      env: o.env ?? {},
      executor: o.executor ?? 'function',
      ...(o.route ? { route: o.route } : {}),
      retries: o.retries ?? f.asyncRetries,
      ...(o.onFailure ? { onFailure: o.onFailure } : {}),
      ...(o.uses?.length ? { uses: o.uses.map((u) => ({ kind: u.slice(0, u.indexOf(':')) as UsesKind, name: u.slice(u.indexOf(':') + 1) })) } : {}),
      triggers: (o.triggers ?? []).map((t) =>
        'queue' in t
          ? { kind: 'queue' as const, queue: t.queue, batchSize: t.batchSize ?? f.queueBatchSize, batchingWindowMs: t.batchingWindow ?? 0, maxConcurrency: t.maxConcurrency ?? concurrency, reportBatchItemFailures: t.reportBatchItemFailures ?? true }
          : { kind: 'stream' as const, table: t.table, batchSize: t.batchSize ?? f.streamBatchSize, parallelizationFactor: t.parallelizationFactor ?? f.streamParallelizationFactor, bisectOnError: t.bisectOnError ?? false, maxRetryAttempts: t.maxRetryAttempts ?? f.streamMaxRetryAttempts, reportBatchItemFailures: t.reportBatchItemFailures ?? false, ...(t.onFailure ? { onFailure: t.onFailure } : {}), ...(t.filter ? { eventNames: t.filter.eventName } : {}) },
      ),
    },
  };
}
