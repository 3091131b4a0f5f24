import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Job } from '../../ports/jobs.ts';
import { mapProgress } from '../../runtime/map/index.ts';
import { printRows, printValue } from '../output.ts';
import { withSession } from '../session.ts';

function fraction(done: number | undefined, total: number | undefined): string | undefined {
  if (done === undefined) return undefined;
  return total ? `${done}/${total} (${Math.floor((100 * done) / total)}%)` : String(done);
}

function jobRow(j: Job): Record<string, unknown> {
  return { id: j.id, kind: 'job', fn: j.fn, status: j.status, progress: fraction(j.progress?.done, j.progress?.total), relays: j.relay, failures: j.failures || undefined, executor: j.executor, updated: new Date(j.updatedAt).toISOString() };
}

/** A job or a map by id, as one record for status and progress. */
async function find(backend: Backend, id: string): Promise<Record<string, unknown>> {
  const job = await backend.jobs.get(id);
  if (job) return { ...jobRow(job), checkpoint: job.checkpoint, wakeAt: job.wakeAt ? new Date(job.wakeAt).toISOString() : undefined, waitingFor: job.waitingFor, result: job.result, error: job.error?.message, runs: `baton runs --trigger job:${id}` };
  const m = await backend.jobs.maps.get(id).catch(() => undefined);
  if (!m) throw new ValidationError(`No job or map has the id "${id}".`, { action: 'List them with `baton jobs`.' });
  const { counts } = await mapProgress(backend, id);
  const ended = counts.succeeded + counts.failed;
  return { id, kind: 'map', fn: m.fn, status: m.status, progress: fraction(ended, counts.total), ...counts, manifest: m.manifest ? `${m.manifest.bucket}/${m.manifest.key}` : undefined, error: m.error?.message, updated: new Date(m.updatedAt).toISOString() };
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('long-running jobs (relays) and maps: list, status, progress, cancel');
  jobs
    .command('list', { isDefault: true })
    .description('jobs and maps, newest first')
    .option('--limit <n>', 'at most n of each', (v) => Number(v), 20)
    .action(async (o: { limit: number }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const rows = (await backend.jobs.list({ limit: o.limit })).map(jobRow);
        for (const m of await backend.jobs.maps.list(o.limit)) {
          const c = await backend.jobs.maps.counts(m.id);
          rows.push({ id: m.id, kind: 'map', fn: m.fn, status: m.status, progress: fraction(c.succeeded + c.failed, c.total), relays: undefined, failures: c.failed || undefined, executor: undefined, updated: new Date(m.updatedAt).toISOString() });
        }
        printRows(rows, json, 'no jobs or maps');
      });
    });
  jobs
    .command('status')
    .description("a job's or a map's state, progress, checkpoint and outcome")
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => printValue(await find(backend, id), json || true));
    });
  jobs
    .command('progress')
    .description("a job's or a map's progress, as one line")
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await find(backend, id);
        printValue(json ? { id, status: r.status, progress: r.progress } : `${id} ${String(r.status)} ${String(r.progress ?? '-')}`, json);
      });
    });
  jobs
    .command('cancel')
    .description('cancels a job (its running relay ends at its next checkpoint) or a map (no new items are dispatched)')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const job = await backend.jobs.get(id);
        if (job) return printValue(json ? jobRow(await backend.jobs.cancel(id)) : `job ${id}: ${(await backend.jobs.cancel(id)).status}`, json);
        const m = await backend.jobs.maps.get(id);
        if (!m) throw new ValidationError(`No job or map has the id "${id}".`, { action: 'List them with `baton jobs`.' });
        if (m.status === 'succeeded' || m.status === 'failed' || m.status === 'cancelled') return printValue(`map ${id} has already ${m.status}`, json);
        printValue(`map ${id}: ${(await backend.jobs.maps.setStatus(id, 'cancelled')).status}`, json);
      });
    });
  jobs
    .command('resume')
    .description('drives a job whose relay died (or that is queued) from its last checkpoint to the end; waits while another process drives it')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ app, backend, json }) => {
        const before = await backend.jobs.get(id);
        if (!before) {
          if (await backend.jobs.maps.get(id)) {
            const summary = await app.resumeMap(id);
            return printValue(json ? summary : `map ${id}: ${summary.status}`, json);
          }
          throw new ValidationError(`No job or map has the id "${id}".`, { action: 'List them with `baton jobs`.' });
        }
        if (before.status === 'succeeded' || before.status === 'failed' || before.status === 'cancelled') {
          return printValue(json ? jobRow(before) : `job ${id} has already ${before.status}; nothing to resume.`, json);
        }
        const job = await app.jobs.run(id);
        printValue(json ? job : `job ${job.id}: ${job.status} after ${job.relay} relays${job.error ? ` (${job.error.message})` : ''}`, json);
        if (job.status !== 'succeeded') process.exitCode = 1;
      });
    });
  jobs
    .command('start')
    .description('starts a job on a function whose handler is wrapped in job(), and runs it to the end')
    .argument('<fn>')
    .option('--input-json <json>', 'the job input')
    .option('--id <id>', 'the job id (default: a fresh one)')
    .action(async (fnName: string, o: { inputJson?: string; id?: string }, cmd: Command) => {
      let input: unknown;
      try {
        input = o.inputJson === undefined ? undefined : (JSON.parse(o.inputJson) as unknown);
      } catch (err) {
        throw new ValidationError(`--input-json: not valid JSON (${(err as Error).message}).`);
      }
      await withSession(cmd, async ({ app, json }) => {
        const job = await app.jobs.runJob(fnName, { ...(o.id ? { id: o.id } : {}), input });
        printValue(json ? job : `job ${job.id}: ${job.status} after ${job.relay} relays${job.error ? ` (${job.error.message})` : ''}`, json);
        if (job.status !== 'succeeded') process.exitCode = 1;
      });
    });
}
