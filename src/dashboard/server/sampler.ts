/**
 * Queue history: every `everyMs` (1 s) the server samples each queue's depth, in flight and
 * oldest age and keeps the last `keepMs` (10 min) per queue in a ring, which
 * GET /api/queues/:name/history returns. A sample that fails (the store busy) is skipped.
 */
import type { App } from '../../root/open-app.ts';
import { queueCounts, type QueueCounts } from './counts.ts';

export interface HistoryPoint {
  t: number;
  depth: number;
  inFlight: number;
  oldestAgeMs: number;
}

export class QueueSampler {
  private readonly points = new Map<string, HistoryPoint[]>();
  private readonly max: number;
  /** The latest sample of every queue. */
  latest: QueueCounts[] = [];

  constructor(
    /** The app served now (it changes when baton dev applies a saved config). */
    private readonly app: () => App,
    readonly everyMs: number,
    keepMs: number,
  ) {
    this.max = Math.max(1, Math.ceil(keepMs / everyMs));
  }

  async sample(now: number): Promise<QueueCounts[]> {
    const counts = await queueCounts(this.app());
    for (const q of counts) {
      let ring = this.points.get(q.name);
      if (!ring) this.points.set(q.name, (ring = []));
      ring.push({ t: now, depth: q.depth, inFlight: q.inFlight, oldestAgeMs: q.oldestAgeMs });
      if (ring.length > this.max) ring.splice(0, ring.length - this.max);
    }
    this.latest = counts;
    return counts;
  }

  history(queue: string): HistoryPoint[] {
    return [...(this.points.get(queue) ?? [])];
  }
}
