import type { BucketConfig } from '../ports/objects.ts';
import type { QueueConfig } from '../ports/queues.ts';
import type { TableConfig } from '../ports/tables.ts';
import type { TopicConfig } from '../ports/topics.ts';
import { defaults } from './defaults.ts';
import { DefinitionError, show } from './errors.ts';
import type { BucketResource } from './resources/bucket.ts';
import { nameSchema } from './resources/define.ts';
import type { ParamsConfig, ParamsResource } from './resources/params.ts';
import type { QueueResource } from './resources/queue.ts';
import type { ScheduleConfig, ScheduleResource } from './resources/schedule.ts';
import type { TableResource } from './resources/table.ts';
import type { TopicResource } from './resources/topic.ts';

export type AnyResource = BucketResource | QueueResource | TableResource | ParamsResource | ScheduleResource | TopicResource;

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
}

const kinds = new Set(['bucket', 'queue', 'table', 'params', 'schedule', 'topic']);

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
    throw new DefinitionError(`app "${name}": resources must be an array of bucket(), queue(), table(), params(), schedule() and topic() declarations; got ${show(resources)}.`);
  }
  const seen = new Map<string, string>();
  const by = { bucket: [] as BucketConfig[], queue: [] as QueueConfig[], table: [] as TableConfig[], params: [] as ParamsConfig[], schedule: [] as ScheduleConfig[], topic: [] as TopicConfig[] };
  resources.forEach((r, i) => {
    if (!r || typeof r !== 'object' || !kinds.has((r as { kind?: string }).kind ?? '')) {
      throw new DefinitionError(`app "${name}": resources[${i}] is ${show(r)}, not a resource; declare it with bucket(), queue(), table(), params(), schedule() or topic().`);
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
  for (const q of queues.values()) {
    if (q.deadLetter?.queue === q.name) throw new DefinitionError(`queue "${q.name}": field "deadLetter.queue" names the queue itself; use another queue.`);
  }
  const needQueue = (where: string, queue: string) => {
    if (!queues.has(queue)) throw new DefinitionError(`${where} names queue "${queue}", which is not declared; declare it with queue("${queue}") in the app.`);
  };
  const topics = new Set(by.topic.map((t) => t.name));
  for (const b of by.bucket) b.notifications.forEach((n, i) => n.queue !== undefined && needQueue(`bucket "${b.name}": field "notifications.${i}.queue"`, n.queue));
  for (const t of by.topic) t.subscribers.forEach((s, i) => s.kind === 'queue' && needQueue(`topic "${t.name}": field "subscribers.${i}.queue"`, s.queue));
  for (const s of by.schedule) {
    const target = s.target;
    if (target && 'queue' in target) needQueue(`schedule "${s.name}": field "target.queue"`, target.queue);
    if (target && 'topic' in target && !topics.has(target.topic)) {
      throw new DefinitionError(`schedule "${s.name}": field "target.topic" names topic "${target.topic}", which is not declared; declare it with topic("${target.topic}") in the app.`);
    }
  }
  return { kind: 'app', name, buckets: by.bucket, queues: [...queues.values()], tables: by.table, params: by.params, schedules: by.schedule, topics: by.topic };
}
