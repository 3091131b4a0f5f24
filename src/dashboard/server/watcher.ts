/**
 * The server's one poll loop (every second, whatever the number of open pages): samples the
 * queues (history), then finds what changed since the last tick and tells the event streams —
 * `queue` for a queue whose numbers moved, `counts` when any node's counts changed (and first to a
 * page that just connected), `run` for a run
 * that started or finished (the newest 100 runs and those seen running), `job` for a job whose
 * status changed and `map` for a map whose ledger counts moved. It reads the stores, so it sees work
 * done by any process on the same state (`baton dev` in another terminal).
 */
import type { Run } from '../../ports/runs.ts';
import type { JobStatus, MapCounts } from '../../ports/jobs.ts';
import type { App } from '../../root/open-app.ts';
import { nodeCounts } from './counts.ts';
import type { QueueSampler } from './sampler.ts';
import type { EventStreams } from './sse.ts';
import { runRow } from './handlers/runs.ts';

const RECENT = 100;

export class Watcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly queues = new Map<string, string>();
  private counts = '';
  private readonly runs = new Map<string, Run['status']>();
  private readonly jobs = new Map<string, JobStatus>();
  private readonly maps = new Map<string, string>();
  private primed = false;

  constructor(
    /** The app served now (it changes when baton dev applies a saved config). */
    private readonly current: () => App,
    private readonly sampler: QueueSampler,
    private readonly streams: EventStreams,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch(this.onError)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.sampler.everyMs);
        });
    };
    loop();
  }

  /** The app changed: its counts go to every page on the next tick, whatever they were. */
  appChanged(): void {
    this.counts = '';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One tick; the first only records what is there (no events for the past). */
  async tick(): Promise<void> {
    const now = this.now();
    const queues = await this.sampler.sample(now);
    const emit = this.primed;
    for (const q of queues) {
      const data = { name: q.name, depth: q.depth, inFlight: q.inFlight, delayed: q.delayed, oldestAgeMs: q.oldestAgeMs, ...(q.dlqDepth !== undefined ? { dlqDepth: q.dlqDepth } : {}) };
      const key = JSON.stringify(data);
      if (emit && this.queues.get(q.name) !== key) this.streams.send('queue', data);
      this.queues.set(q.name, key);
    }
    await this.watchRuns(emit);
    await this.watchJobs(emit);
    // The grouped run counts cost more than the rest: read only while a page listens.
    this.primed = true;
    if (this.streams.size === 0) {
      this.counts = '';
      return;
    }
    const counts = await nodeCounts(this.current(), now, queues);
    const nodes = [...counts].map(([id, c]) => ({ id, counts: c }));
    const key = JSON.stringify(nodes);
    if (key !== this.counts) this.streams.send('counts', { nodes });
    this.counts = key;
  }

  private async watchRuns(emit: boolean): Promise<void> {
    const store = this.current().backend.runs;
    const recent = (await store.page({ limit: RECENT })).items;
    const seen = new Set<string>();
    const changed = (r: Run) => {
      seen.add(r.id);
      if (emit && this.runs.get(r.id) !== r.status) this.streams.send('run', runRow(r));
      if (r.status === 'running') this.runs.set(r.id, r.status);
      else this.runs.delete(r.id);
    };
    for (const r of recent.slice().reverse()) changed(r);
    // Runs seen running that fell off the newest page: read each (bounded) to catch their finish.
    for (const id of [...this.runs.keys()].filter((x) => !seen.has(x)).slice(0, RECENT)) {
      const r = await store.get(id);
      if (r) changed(r);
      else this.runs.delete(id);
    }
    // Finished runs of the newest page are remembered as finished, so they are not announced again.
    for (const r of recent) if (r.status !== 'running') this.runs.set(r.id, r.status);
    if (this.runs.size > RECENT * 4) for (const [id, s] of this.runs) if (s !== 'running' && !seen.has(id)) this.runs.delete(id);
  }

  private async watchJobs(emit: boolean): Promise<void> {
    const { backend } = this.current();
    const jobs = await backend.jobs.list({ limit: 50 });
    for (const j of jobs) {
      if (emit && this.jobs.get(j.id) !== j.status) this.streams.send('job', { id: j.id, fn: j.fn, status: j.status, relays: j.relay, ...(j.progress ? { progress: j.progress } : {}), updatedAt: j.updatedAt });
      this.jobs.set(j.id, j.status);
    }
    const maps = await backend.jobs.maps.list(20);
    for (const m of maps) {
      const live = m.status === 'running' || m.status === 'loading' || !this.maps.has(m.id) || !this.maps.get(m.id)!.startsWith(m.status);
      if (!live) continue;
      const counts: MapCounts = await backend.jobs.maps.counts(m.id);
      const key = `${m.status}:${JSON.stringify(counts)}`;
      if (emit && this.maps.get(m.id) !== key) this.streams.send('map', { id: m.id, status: m.status, counts });
      this.maps.set(m.id, key);
    }
  }
}
