/** Starts one loop per trigger, schedule, alarm and pump of the app; returns their promises. */
import type { AppSpec } from '../../core/app.ts';
import { defaults } from '../../core/defaults.ts';
import type { TriggerContext } from '../triggers/context.ts';
import { QueueTrigger } from '../triggers/queue.ts';
import { AlarmRunner } from '../alarms/runner.ts';
import { ObjectEventPump } from '../triggers/objects.ts';
import { ScheduleRunner } from '../triggers/schedule.ts';
import { StreamTrigger } from '../triggers/stream.ts';
import { TopicFnPump } from '../triggers/topic.ts';
import { needsTopicFlush, runTopicFlush } from './topic-flush.ts';

export interface EngineLoops {
  promises: Array<Promise<void>>;
  inFlight(): number;
}

export function startLoops(ctx: TriggerContext, spec: AppSpec): EngineLoops {
  const visibility = new Map(spec.queues.map((q) => [q.name, q.visibilityTimeoutMs]));
  const tables = new Map(spec.tables.map((t) => [t.name, t]));
  const triggers: Array<QueueTrigger | StreamTrigger> = [];
  for (const f of spec.fns) {
    for (const t of f.triggers) {
      if (t.kind === 'queue') triggers.push(new QueueTrigger(ctx, f, t, visibility.get(t.queue) ?? defaults.queue.visibilityTimeoutMs));
      else {
        const table = tables.get(t.table);
        triggers.push(new StreamTrigger(ctx, f, t, table?.stream?.viewType ?? 'NEW_AND_OLD_IMAGES', table?.partitionKey.name ?? ''));
      }
    }
  }
  // A schedule with nothing to fire, or disabled, has no loop (and no state).
  const schedules = spec.schedules.filter((s) => s.enabled && s.target !== undefined).map((s) => new ScheduleRunner(ctx, s));
  const alarms = spec.alarms.map((a) => new AlarmRunner(ctx, a));
  const topicPumps = spec.topics.flatMap((t) => t.subscribers.flatMap((s) => (s.kind === 'queue' && s.fn !== undefined ? [new TopicFnPump(ctx, t.name, s.fn, s.queue)] : [])));
  // The outbox pump runs only when some bucket notifies a function.
  const objectPumps = spec.buckets.some((b) => b.notifications.some((n) => n.target?.startsWith('fn:'))) ? [new ObjectEventPump(ctx)] : [];
  const promises = [...triggers, ...schedules, ...alarms, ...topicPumps, ...objectPumps].map((loop) => loop.run());
  // File and webhook subscribers: delivered by the flush loop where the backend waits for a flush (aws).
  if (needsTopicFlush(spec.topics)) promises.push(runTopicFlush(ctx));
  return {
    promises,
    inFlight: () => triggers.reduce((n, t) => n + t.inFlight, 0),
  };
}
