/**
 * Jobs and maps: GET /api/jobs (a page), GET /api/jobs/:id (the job and its relays, which are its
 * runs with trigger job:<id>), POST /api/jobs/:id/cancel; GET /api/maps (a page with ledger
 * counts), GET /api/maps/:id (counts and the first failed items), POST /api/maps/:id/redrive
 * (failed items back to pending; the map then resumes in this process, in the background).
 */
import { defaults } from '../../../core/defaults.ts';
import { NotFoundError, show } from '../../../core/errors.ts';
import type { Job, JobStatus, MapRecord } from '../../../ports/jobs.ts';
import type { DashboardDeps } from '../context.ts';
import type { Router } from '../router.ts';

const jobStatuses: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function jobRow(j: Job) {
  return {
    id: j.id,
    fn: j.fn,
    status: j.status,
    startedAt: j.createdAt,
    updatedAt: j.updatedAt,
    relays: j.relay,
    failures: j.failures,
    executor: j.executor,
    ...(j.progress ? { progress: j.progress } : {}),
    ...(j.waitingFor ? { waitingFor: j.waitingFor } : {}),
    ...(j.wakeAt !== undefined ? { wakeAt: j.wakeAt } : {}),
    ...(j.error ? { error: { type: j.error.name, message: j.error.message } } : {}),
  };
}

function mapRow(m: MapRecord) {
  return { id: m.id, fn: m.fn, status: m.status, startedAt: m.createdAt, updatedAt: m.updatedAt, loaded: m.loaded, sourceDone: m.sourceDone, ...(m.error ? { error: { type: m.error.name, message: m.error.message } } : {}) };
}

export function jobRoutes(router: Router, deps: DashboardDeps): void {
  const jobs = () => deps.app.backend.jobs;
  const mustJob = async (id: string): Promise<Job> => {
    const job = await jobs().get(id);
    if (!job) throw new NotFoundError(`Job ${show(id)} does not exist.`, { action: 'Pick a job from GET /api/jobs.' });
    return job;
  };
  const mustMap = async (id: string): Promise<MapRecord> => {
    const map = await jobs().maps.get(id);
    if (!map) throw new NotFoundError(`Map ${show(id)} does not exist.`, { action: 'Pick a map from GET /api/maps.' });
    return map;
  };

  router.get('/api/jobs', async ({ query }) => {
    const status = query.oneOf('status', jobStatuses);
    const fn = query.string('fn');
    const cursor = query.string('cursor');
    const page = await jobs().page({ limit: query.limit(defaults.dashboard.pageSize, defaults.dashboard.maxPageSize), ...(status ? { status } : {}), ...(fn ? { fn } : {}), ...(cursor ? { cursor } : {}) });
    return { items: page.items.map(jobRow), next: page.next };
  });

  router.get('/api/jobs/:id', async ({ params }) => {
    const job = await mustJob(params.id!);
    const [runs, steps] = await Promise.all([deps.app.backend.runs.page({ fn: job.fn, trigger: `job:${job.id}`, limit: 500 }), jobs().steps(job.id)]);
    const relays = runs.items
      .map((r) => ({ n: r.attempt, runId: r.id, startedAt: r.startedAt, ...(r.durationMs !== undefined ? { endedAt: r.startedAt + r.durationMs } : {}), status: r.status, ...(r.error ? { error: { type: r.error.type, message: r.error.message } } : {}) }))
      .reverse();
    return {
      job: { ...job, ...jobRow(job) },
      relays,
      steps: steps.map((s) => ({ position: s.position, name: s.name, status: s.status, attempts: s.attempts, ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}), ...(s.error ? { error: { type: s.error.name, message: s.error.message } } : {}) })),
    };
  });

  router.post('/api/jobs/:id/cancel', async ({ params }) => {
    await mustJob(params.id!);
    const job = await jobs().cancel(params.id!);
    return { id: job.id, status: job.status };
  });

  router.get('/api/maps', async ({ query }) => {
    const cursor = query.string('cursor');
    const page = await jobs().maps.page({ limit: query.limit(defaults.dashboard.pageSize, defaults.dashboard.maxPageSize), ...(cursor ? { cursor } : {}) });
    const counts = await Promise.all(page.items.map((m) => jobs().maps.counts(m.id)));
    return { items: page.items.map((m, i) => ({ ...mapRow(m), ...counts[i]! })), next: page.next };
  });

  router.get('/api/maps/:id', async ({ params }) => {
    const map = await mustMap(params.id!);
    const [counts, failed] = await Promise.all([jobs().maps.counts(map.id), jobs().maps.items(map.id, 'failed', -1, 100)]);
    return {
      map: { ...mapRow(map), options: map.options, ...(map.manifest ? { manifest: map.manifest } : {}) },
      counts,
      failedItems: failed.map((f) => ({ index: f.index, item: f.item, attempts: f.attempts, ...(f.error ? { error: { type: f.error.name, message: f.error.message } } : {}) })),
    };
  });

  router.post('/api/maps/:id/redrive', async ({ params }) => {
    const map = await mustMap(params.id!);
    const redriven = await jobs().maps.redrive(map.id);
    // The items are pending again; resuming runs them (here, in the background) as `baton map resume` would.
    if (redriven > 0 && deps.app.spec.fns.some((f) => f.name === map.fn)) deps.track(deps.app.resumeMap(map.id));
    return { id: map.id, redriven };
  });
}
