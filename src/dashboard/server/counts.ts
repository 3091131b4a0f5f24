/**
 * The live counts on the app graph's nodes: a queue's depth, in flight, delayed, oldest age and
 * DLQ depth (the queue store's stats), a function's runs in the last minute, errors in the last
 * hour and runs still running (grouped counts of the run store by status or time index, whatever
 * the number of functions). Used by GET /api/app and by the `counts` server-sent event.
 */
import { NotFoundError } from '../../core/errors.ts';
import type { App } from '../../root/open-app.ts';
import { nodeId } from './graph.ts';

export type Counts = Record<string, number>;

export interface QueueCounts {
  name: string;
  depth: number;
  inFlight: number;
  delayed: number;
  oldestAgeMs: number;
  dlq?: string;
  dlqDepth?: number;
}

export async function queueCounts(app: App): Promise<QueueCounts[]> {
  return Promise.all(
    app.spec.queues.map(async (q) => {
      // A queue the config declares but the state does not have yet (never provisioned) shows as empty.
      const s = await app.backend.queues.stats(q.name).catch((err: unknown) => {
        if (err instanceof NotFoundError) return { visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: 0, deadLettered: 0 };
        throw err;
      });
      return { name: q.name, depth: s.visible, inFlight: s.inFlight, delayed: s.delayed, oldestAgeMs: s.oldestAgeMs, ...(q.deadLetter ? { dlq: q.deadLetter.queue, dlqDepth: s.deadLettered ?? 0 } : {}) };
    }),
  );
}

/** Counts per node id. */
export async function nodeCounts(app: App, now: number, queues?: QueueCounts[]): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  const hourAgo = now - 3_600_000;
  const [qs, minute, errors, timeouts, running] = await Promise.all([
    queues ?? queueCounts(app),
    app.backend.runs.count({ since: now - 60_000 }),
    app.backend.runs.count({ since: hourAgo, status: 'error' }),
    app.backend.runs.count({ since: hourAgo, status: 'timeout' }),
    app.backend.runs.count({ status: 'running' }),
  ]);
  for (const q of qs) out.set(nodeId('queue', q.name), { depth: q.depth, inFlight: q.inFlight, delayed: q.delayed, oldestAgeMs: q.oldestAgeMs, ...(q.dlqDepth !== undefined ? { dlqDepth: q.dlqDepth } : {}) });
  for (const f of app.spec.fns) out.set(nodeId('fn', f.name), { runsPerMinute: 0, errors: 0, running: 0 });
  const fn = (name: string) => out.get(nodeId('fn', name));
  const add = (name: string, key: string, n: number) => {
    const f = fn(name);
    if (f) f[key] = (f[key] ?? 0) + n;
  };
  for (const c of minute) add(c.fn, 'runsPerMinute', c.count);
  for (const c of [...errors, ...timeouts]) add(c.fn, 'errors', c.count);
  for (const c of running) add(c.fn, 'running', c.count);
  return out;
}
