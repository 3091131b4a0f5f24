/** Starts one loop per trigger, schedule, alarm and pump of the app; returns their promises. */
import type { AppSpec } from '../../core/app.ts';
import type { TriggerContext } from '../triggers/context.ts';
import { QueueTrigger } from '../triggers/queue.ts';

export interface EngineLoops {
  promises: Array<Promise<void>>;
  inFlight(): number;
}

export function startLoops(ctx: TriggerContext, spec: AppSpec): EngineLoops {
  const visibility = new Map(spec.queues.map((q) => [q.name, q.visibilityTimeoutMs]));
  const queueTriggers: QueueTrigger[] = [];
  for (const f of spec.fns) {
    for (const t of f.triggers) {
      if (t.kind === 'queue') queueTriggers.push(new QueueTrigger(ctx, f, t, visibility.get(t.queue) ?? 30_000));
    }
  }
  const promises = [...queueTriggers.map((t) => t.run())];
  return {
    promises,
    inFlight: () => queueTriggers.reduce((n, t) => n + t.inFlight, 0),
  };
}
