import { defaults } from './defaults.ts';
import { DefinitionError, show } from './errors.ts';
import type { AlarmConfig, AlarmResource } from './resources/alarm.ts';
import type { BucketResource } from './resources/bucket.ts';
import type { BucketConfig, QueueConfig, TableConfig, TopicConfig } from './resources/configs.ts';
import type { FirehoseConfig, FirehoseResource } from './resources/firehose.ts';
import type { Destination, FnConfig, FnResource } from './resources/fn.ts';
import { nameSchema } from './resources/define.ts';
import type { ParamsConfig, ParamsResource } from './resources/params.ts';
import type { QueueResource } from './resources/queue.ts';
import type { ScheduleConfig, ScheduleResource } from './resources/schedule.ts';
import type { TableResource } from './resources/table.ts';
import type { TopicResource } from './resources/topic.ts';

export type AnyResource = FnResource | BucketResource | QueueResource | TableResource | ParamsResource | ScheduleResource | TopicResource | AlarmResource | FirehoseResource;

/** A validated app: every resource resolved, every reference between resources checked. */
export interface AppSpec {
  readonly kind: 'app';
  readonly name: string;
  readonly buckets: readonly BucketConfig[];
  readonly queues: readonly QueueConfig[];
  readonly tables: readonly TableConfig[];
  readonly params: readonly ParamsConfig[];
  readonly schedules: readonly ScheduleConfig[];
  readonly topics: readonly TopicConfig[];
  readonly fns: readonly FnConfig[];
  readonly alarms: readonly AlarmConfig[];
  readonly firehoses: readonly FirehoseConfig[];
  /** The folder relative handler modules are resolved against (the config file's), set by the loader. */
  root?: string;
}

const kinds = new Set(['fn', 'bucket', 'queue', 'table', 'params', 'schedule', 'topic', 'alarm', 'firehose']);

/**
 * Declares an app from its resources. Dead-letter queues named by a queue but not declared are
 * declared for you (with the same size limit and the longest retention, as a DLQ should keep
 * messages). Throws a DefinitionError naming the resource and the field for a duplicate name or a
 * reference to something that does not exist.
 */
export function app(name: string, resources: readonly AnyResource[]): AppSpec {
  if (!nameSchema.safeParse(name).success) {
    throw new DefinitionError(`app ${show(name)}: the name is invalid; use letters, digits, '.', '-' and '_', starting with a letter or digit.`);
  }
  if (!Array.isArray(resources)) {
    throw new DefinitionError(`app "${name}": resources must be an array of fn(), bucket(), queue(), table(), params(), schedule(), topic(), alarm() and firehose() declarations; got ${show(resources)}.`);
  }
  const seen = new Map<string, string>();
  const by = { fn: [] as FnConfig[], bucket: [] as BucketConfig[], queue: [] as QueueConfig[], table: [] as TableConfig[], params: [] as ParamsConfig[], schedule: [] as ScheduleConfig[], topic: [] as TopicConfig[], alarm: [] as AlarmConfig[], firehose: [] as FirehoseConfig[] };
  resources.forEach((r, i) => {
    if (!r || typeof r !== 'object' || !kinds.has((r as { kind?: string }).kind ?? '')) {
      throw new DefinitionError(`app "${name}": resources[${i}] is ${show(r)}, not a resource; declare it with fn(), bucket(), queue(), table(), params(), schedule(), topic(), alarm() or firehose().`);
    }
    const res = r as AnyResource;
    const id = `${res.kind}:${res.name}`;
    if (seen.has(id)) throw new DefinitionError(`app "${name}": ${res.kind} "${res.name}" is declared twice (resources[${seen.get(id)}] and resources[${i}]); names must be unique per kind.`);
    seen.set(id, String(i));
    (by[res.kind] as unknown[]).push(res.config);
  });

  const queues = new Map(by.queue.map((q) => [q.name, q]));
  for (const q of by.queue) {
    const dlq = q.deadLetter?.queue;
    if (dlq === undefined || queues.has(dlq)) continue;
    const implied: QueueConfig = { name: dlq, visibilityTimeoutMs: q.visibilityTimeoutMs, retentionMs: defaults.queue.maxRetentionMs, delayMs: 0, maxMessageSize: q.maxMessageSize };
    queues.set(dlq, implied);
  }
  // A function subscriber of a topic gets an internal queue, filled in the publish transaction.
  for (const t of by.topic) {
    for (const s of t.subscribers) {
      if (s.kind !== 'queue' || s.fn === undefined || queues.has(s.queue)) continue;
      queues.set(s.queue, { name: s.queue, visibilityTimeoutMs: defaults.queue.visibilityTimeoutMs, retentionMs: defaults.queue.maxRetentionMs, delayMs: 0, maxMessageSize: defaults.queue.maxMessageSizeCap });
    }
  }
  for (const q of queues.values()) {
    if (q.deadLetter?.queue === q.name) throw new DefinitionError(`queue "${q.name}": field "deadLetter.queue" names the queue itself; use another queue.`);
  }
  const needQueue = (where: string, queue: string) => {
    if (!queues.has(queue)) throw new DefinitionError(`${where} names queue "${queue}", which is not declared; declare it with queue("${queue}") in the app.`);
  };
  const topics = new Set(by.topic.map((t) => t.name));
  for (const b of by.bucket) b.notifications.forEach((n, i) => n.queue !== undefined && needQueue(`bucket "${b.name}": field "notifications.${i}.target.queue"`, n.queue));
  for (const t of by.topic) t.subscribers.forEach((s, i) => s.kind === 'queue' && needQueue(`topic "${t.name}": field "subscribers.${i}.queue"`, s.queue));
  const fns = new Set(by.fn.map((f) => f.name));
  const needFn = (where: string, name: string) => {
    if (!fns.has(name)) throw new DefinitionError(`${where} names function "${name}", which is not declared; declare it with fn("${name}", './handlers/${name}.ts') in the app.`);
  };
  const needTopic = (where: string, name: string) => {
    if (!topics.has(name)) throw new DefinitionError(`${where} names topic "${name}", which is not declared; declare it with topic("${name}") in the app.`);
  };
  const needDestination = (where: string, d: Destination) => ('queue' in d ? needQueue(`${where}.queue"`, d.queue) : needTopic(`${where}.topic"`, d.topic));
  const tables = new Map(by.table.map((t) => [t.name, t]));
  for (const b of by.bucket) b.notifications.forEach((n, i) => n.target?.startsWith('fn:') && needFn(`bucket "${b.name}": field "notifications.${i}.target.fn"`, n.target.slice(3)));
  for (const t of by.topic) t.subscribers.forEach((s, i) => s.kind === 'queue' && s.fn !== undefined && needFn(`topic "${t.name}": field "subscribers.${i}.fn"`, s.fn));
  for (const f of by.fn) {
    if (f.onFailure) needDestination(`fn "${f.name}": field "onFailure`, f.onFailure);
    f.triggers.forEach((t, i) => {
      const where = `fn "${f.name}": field "triggers.${i}`;
      if (t.kind === 'queue') return needQueue(`${where}.queue"`, t.queue);
      const table = tables.get(t.table);
      if (!table) throw new DefinitionError(`${where}.table" names table "${t.table}", which is not declared; declare it with table("${t.table}", { partitionKey: ..., stream: true }).`);
      if (!table.stream) throw new DefinitionError(`${where}.table" names table "${t.table}", which has no stream; add stream: true to its declaration.`);
      if (t.onFailure) needDestination(`${where}.onFailure`, t.onFailure);
    });
  }
  const declared: Record<string, Set<string>> = { bucket: new Set(by.bucket.map((b) => b.name)), queue: new Set(queues.keys()), table: new Set(tables.keys()), topic: topics, params: new Set(by.params.map((p) => p.path)), fn: fns, firehose: new Set(by.firehose.map((h) => h.name)) };
  for (const f of by.fn) {
    f.uses?.forEach((u, i) => {
      if (!declared[u.kind]?.has(u.name)) {
        const known = [...(declared[u.kind] ?? [])].map((n) => `"${n}"`).join(', ') || 'none';
        throw new DefinitionError(`fn "${f.name}": field "uses.${i}" names ${u.kind} "${u.name}", which is not declared (declared ${u.kind}s: ${known}); declare it in the app or fix the name.`);
      }
    });
  }
  for (const s of by.schedule) {
    const target = s.target;
    if (target && 'queue' in target) needQueue(`schedule "${s.name}": field "target.queue"`, target.queue);
    if (target && 'topic' in target) needTopic(`schedule "${s.name}": field "target.topic"`, target.topic);
    if (target && 'fn' in target) needFn(`schedule "${s.name}": field "target.fn"`, target.fn);
  }
  for (const a of by.alarm) {
    needQueue(`alarm "${a.name}": field "queue"`, a.queue);
    needTopic(`alarm "${a.name}": field "topic"`, a.topic);
    if (a.metric === 'deadLettered' && !queues.get(a.queue)?.deadLetter) {
      throw new DefinitionError(`alarm "${a.name}": metric "deadLettered" watches queue "${a.queue}"'s dead-letter queue, but it has none; give the queue deadLetter: { maxReceiveCount: ... }, or watch the DLQ itself with metric "depth".`);
    }
  }
  const buckets = new Set(by.bucket.map((b) => b.name));
  for (const f of by.firehose) {
    if (!buckets.has(f.bucket)) throw new DefinitionError(`firehose "${f.name}": field "destination.bucket" names bucket "${f.bucket}", which is not declared; declare it with bucket("${f.bucket}") in the app.`);
  }
  return { kind: 'app', name, firehoses: by.firehose, alarms: by.alarm, buckets: by.bucket, queues: [...queues.values()], tables: by.table, params: by.params, schedules: by.schedule, topics: by.topic, fns: by.fn };
}
