/**
 * The runs screen: GET /api/runs (a page, filtered), GET /api/runs/:id (the run and its log lines),
 * POST /api/runs/:id/retry and POST /api/runs/bulk (re-invoke with the stored input), and
 * POST /api/runs/:id/cancel and POST /api/runs/cancel (bulk; also POST /api/runs/bulk with action
 * 'cancel').
 *
 * Cancel (issue 14) stores a REQUEST with the run (runtime/invoke/cancel-run.ts): the process
 * running it (`baton dev`'s engine, or this one for a run it retried) stops it within about a
 * second, terminating its worker as on a timeout, and the run ends `cancelled` (error type
 * 'Baton.Cancelled', saying who and when); the page sees that as a `run` event. A run that is a
 * job relay cancels its job too. Only a running run can be cancelled: any other answers 409 with the
 * reason ("Run "x" already ended ok"); an unknown id is a 404.
 */
import { randomUUID } from 'node:crypto';
import { ConditionFailedError, NotFoundError, ValidationError, show } from '../../../core/errors.ts';
import { runStatuses as statuses, type Run } from '../../../ports/runs.ts';
import { cancelRun, watchCancels } from '../../../runtime/invoke/index.ts';
import type { DashboardDeps } from '../context.ts';
import { HttpError } from '../http.ts';
import type { Router } from '../router.ts';
const TRUNCATED = '…[truncated]';

/** A run as a list row. */
export function runRow(r: Run) {
  return {
    id: r.id,
    fn: r.fn,
    trigger: r.trigger,
    attempt: r.attempt,
    startedAt: r.startedAt,
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    status: r.status,
    ...(r.error ? { errorType: r.error.type, errorMessage: r.error.message } : {}),
    records: r.recordIds.length,
  };
}

async function getRun(deps: DashboardDeps, id: string): Promise<Run> {
  const run = await deps.app.backend.runs.get(id);
  if (!run) throw new NotFoundError(`Run ${show(id)} does not exist (or was pruned by retention).`, { action: 'Pick a run from GET /api/runs.' });
  return run;
}

/** Re-invokes a run's function with its stored input; resolves with the new run's id once it has started (the run goes on in the background). */
async function retry(deps: DashboardDeps, id: string): Promise<string> {
  const run = await getRun(deps, id);
  if (!deps.app.spec.fns.some((f) => f.name === run.fn)) throw new ValidationError(`Run ${show(id)} is of function ${show(run.fn)}, which this app no longer declares; it cannot be retried.`);
  if (run.input === undefined || run.input.endsWith(TRUNCATED)) {
    throw new ValidationError(`Run ${show(id)} cannot be retried: its stored input ${run.input === undefined ? 'is missing' : 'was cut to a summary'}.`, { action: 'Invoke the function again with its full input (baton invoke), or redrive the message it came from.' });
  }
  let event: unknown;
  try {
    event = JSON.parse(run.input) as unknown;
  } catch {
    throw new ValidationError(`Run ${show(id)} cannot be retried: its stored input is not JSON.`, { action: 'Invoke the function again with its input (baton invoke).' });
  }
  const runId = randomUUID();
  let started!: () => void;
  const begun = new Promise<void>((resolve) => (started = resolve));
  const done = deps.app.invoke(run.fn, event, { runId, trigger: `retry:${run.id}`, attempt: run.attempt + 1, onStart: () => started() });
  deps.track(done);
  // The retried run goes on in this process, which may run no engine (`baton dashboard`): watch for a cancel of it while it runs.
  const watch = new AbortController();
  deps.track(watchCancels({ runs: deps.app.backend.runs, clock: deps.app.backend.clock, signal: watch.signal }));
  done.finally(() => watch.abort()).catch(() => undefined);
  await Promise.race([begun, done]);
  return runId;
}

/** Asks that a running run be cancelled (see the file header); a run that has ended is a 409. */
async function cancel(deps: DashboardDeps, id: string) {
  try {
    const { run, job } = await cancelRun(deps.app.backend, id, 'dashboard');
    return { id: run.id, status: run.status, ...(run.cancelRequest ? { cancelRequest: run.cancelRequest } : {}), ...(job ? { job } : {}) };
  } catch (err) {
    if (err instanceof ConditionFailedError) throw new HttpError(409, err.name, err.message);
    throw err;
  }
}

/** Cancels each id; one failure does not stop the others. */
async function cancelEach(deps: DashboardDeps, ids: readonly string[]) {
  const results = [];
  for (const id of ids) {
    try {
      const out = await cancel(deps, id);
      results.push({ id, ok: true, status: out.status, ...(out.job ? { job: out.job } : {}) });
    } catch (err) {
      results.push({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { results };
}

export function runRoutes(router: Router, deps: DashboardDeps): void {
  const runs = () => deps.app.backend.runs;

  router.get('/api/runs', async ({ query }) => {
    const status = query.oneOf('status', statuses);
    const fn = query.string('fn');
    const trigger = query.string('trigger');
    const since = query.time('since');
    const until = query.time('until');
    const cursor = query.string('cursor');
    if (since !== undefined && until !== undefined && since >= until) throw new ValidationError(`GET /api/runs: ?since (${since}) must be before ?until (${until}).`, { action: 'Swap them, or leave one out.' });
    const page = await runs().page({ limit: query.limit(), ...(fn ? { fn } : {}), ...(status ? { status } : {}), ...(trigger ? { trigger } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), ...(cursor ? { cursor } : {}) });
    return { items: page.items.map(runRow), next: page.next };
  });

  router.get('/api/runs/:id', async ({ params }) => {
    const run = await getRun(deps, params.id!);
    const logs = await runs().logs(run.id, { limit: 1000 });
    return { run, logs };
  });

  router.post('/api/runs/:id/retry', async ({ params }) => ({ runId: await retry(deps, params.id!) }));

  router.post('/api/runs/:id/cancel', async ({ params }) => cancel(deps, params.id!));

  router.post('/api/runs/cancel', async ({ body }) => {
    // The same body as POST /api/runs/bulk; an action, if given, must be this one.
    const action = body.optionalString('action', 20);
    if (action !== undefined && action !== 'cancel') throw new ValidationError(`POST /api/runs/cancel: action ${show(action)} does not belong here; this endpoint cancels (use POST /api/runs/bulk for "retry").`);
    return cancelEach(deps, body.stringArray('ids', 100));
  });

  router.post('/api/runs/bulk', async ({ body }) => {
    const action = body.string('action', 20);
    if (action !== 'retry' && action !== 'cancel') throw new ValidationError(`POST /api/runs/bulk: action ${show(action)} is not supported; the bulk actions on runs are "retry" and "cancel".`);
    const ids = body.stringArray('ids', 100);
    if (action === 'cancel') return cancelEach(deps, ids);
    const results = [];
    for (const id of ids) {
      try {
        results.push({ id, ok: true, runId: await retry(deps, id) });
      } catch (err) {
        results.push({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { results };
  });
}
