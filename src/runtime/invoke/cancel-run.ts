/**
 * Cancelling a run on request (the dashboard's POST /api/runs/:id/cancel, `baton runs cancel`): the
 * request is stored with the run (RunStore.requestCancel; the process running it stops it within
 * about a second: cancel.ts), and a run that is a job relay (trigger `job:<id>`) cancels its job too,
 * so the job takes no further relay. Throws NotFoundError for an unknown run and
 * ConditionFailedError for a run that is not running ("already ended ok").
 */
import { NotFoundError } from '../../core/errors.ts';
import type { Backend } from '../../ports/backend.ts';
import type { JobStatus } from '../../ports/jobs.ts';
import type { Run } from '../../ports/runs.ts';

export interface CancelRunResult {
  run: Run;
  /** The job whose relay the run is, after cancelling it. */
  job?: { id: string; status: JobStatus };
}

export async function cancelRun(backend: Pick<Backend, 'runs' | 'jobs'>, id: string, by: string): Promise<CancelRunResult> {
  const run = await backend.runs.requestCancel(id, { by });
  const jobId = /^job:(.+)$/.exec(run.trigger)?.[1];
  if (jobId === undefined) return { run };
  try {
    const job = await backend.jobs.cancel(jobId);
    return { run, job: { id: job.id, status: job.status } };
  } catch (err) {
    // The job was pruned: the run is still stopped.
    if (err instanceof NotFoundError) return { run };
    throw err;
  }
}
