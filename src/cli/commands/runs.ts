import type { Command } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { runStatuses, type Run, type RunStatus } from '../../ports/runs.ts';
import { cancelRun } from '../../runtime/invoke/index.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`--limit ${JSON.stringify(v)} must be a whole number of at least 1.`);
  return n;
}

/** One run in full: every field on its own line, the input and result summaries as stored. */
function printRun(r: Run): void {
  const lines: Array<[string, string | number | undefined]> = [
    ['id', r.id],
    ['fn', r.fn],
    ['trigger', r.trigger],
    ['attempt', r.attempt],
    ['request id', r.requestId],
    ['status', r.status],
    ['started', new Date(r.startedAt).toISOString()],
    ['duration', r.durationMs === undefined ? undefined : formatDuration(r.durationMs)],
    ['records', r.recordIds.length ? r.recordIds.join(', ') : undefined],
    ['error', r.error ? `${r.error.type}: ${r.error.message}` : undefined],
    ['cancel', r.cancelRequest ? `requested${r.cancelRequest.by ? ` by ${r.cancelRequest.by}` : ''} at ${new Date(r.cancelRequest.at).toISOString()}` : undefined],
    ['input', r.input],
    ['result', r.result],
  ];
  for (const [k, v] of lines) if (v !== undefined) console.log(`${`${k}:`.padEnd(12)}${v}`);
}

/**
 * `baton runs cancel <id...>`: asks that each running run be cancelled (runtime/invoke/cancel-run.ts)
 * and prints what happened to each. The cancel is a request stored with the run: the process
 * running it (`baton dev`'s engine) stops it within about a second, terminating its worker as on a
 * timeout, and the run ends `cancelled` (error type 'Baton.Cancelled'). A run that has ended is
 * refused with the reason; a job relay's job is cancelled too. Exit code 1 when any id was refused.
 */
function registerCancel(runs: Command): void {
  runs
    .command('cancel <ids...>')
    .description('cancel running runs: each is stopped by the process running it within about a second (its worker is terminated), then shows as cancelled')
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      await withSession(
        cmd,
        async ({ backend, json }) => {
          const results: Array<Record<string, unknown>> = [];
          for (const id of ids) {
            try {
              const { run, job } = await cancelRun(backend, id, 'cli');
              results.push({ id, ok: true, status: run.status, ...(run.cancelRequest ? { cancelRequest: run.cancelRequest } : {}), ...(job ? { job } : {}) });
              if (!json) console.log(`run ${id}: cancel requested (${run.fn}, ${run.trigger}); the process running it stops it within about a second${job ? `; job ${job.id} ${job.status}` : ''}`);
            } catch (err) {
              if (!(err instanceof Error)) throw err;
              results.push({ id, ok: false, error: { type: err.name, message: err.message } });
              if (!json) console.log(`run ${id}: not cancelled: ${err.message}`);
            }
          }
          if (json) console.log(JSON.stringify(results, null, 2));
          if (results.some((r) => !r.ok)) process.exitCode = 1;
        },
        { provision: false },
      );
    });
}

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs [id]')
    .description('list recent runs (invocations), newest first; with an id, that run in full (input and result summaries)')
    .option('--fn <name>', 'only this function')
    .option('--status <status>', runStatuses.join(' | '))
    .option('--trigger <trigger>', "only this trigger, e.g. 'invoke', 'async', 'queue:orders'")
    .option('--limit <n>', 'at most n runs', positiveInt, 20)
    .action(async (id: string | undefined, o: { fn?: string; status?: RunStatus; trigger?: string; limit: number }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        if (id !== undefined) {
          const run = await backend.runs.get(id);
          if (!run) throw new NotFoundError(`Run ${JSON.stringify(id)} does not exist (or was pruned by retention).`, { action: 'List runs with `baton runs` to find a run id.' });
          if (json) console.log(JSON.stringify(run, null, 2));
          else printRun(run);
          return;
        }
        const runs = await backend.runs.list({ limit: o.limit, ...(o.fn ? { fn: o.fn } : {}), ...(o.status ? { status: o.status } : {}), ...(o.trigger ? { trigger: o.trigger } : {}) });
        if (json) return printRows(runs as unknown as Array<Record<string, unknown>>, true);
        printRows(
          runs.map((r) => ({
            id: r.id,
            fn: r.fn,
            trigger: r.trigger,
            attempt: r.attempt,
            status: r.status,
            started: new Date(r.startedAt).toISOString(),
            duration: r.durationMs === undefined ? undefined : formatDuration(r.durationMs),
            records: r.recordIds.length || undefined,
            error: r.error ? cut(`${r.error.type}: ${r.error.message}`, 80) : undefined,
            result: r.result === undefined ? undefined : cut(r.result, 60),
          })),
          false,
          'no runs',
        );
      });
    });
  registerCancel(runs);
}

function cut(s: string, max: number): string {
  const line = s.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
