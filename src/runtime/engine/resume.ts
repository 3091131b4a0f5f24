/**
 * The engine's resume scan: every resumeScanMs on the clock (and once at start) it looks for work
 * whose driver died and drives it in this engine:
 *   jobs   every `running` job (its relay may have died with its process) and every queued job
 *          that is due: JobRunner.drive takes the job's driver lease, claims the next relay and
 *          resumes from the last checkpoint; a job another process drives is left to it (the
 *          lease is held and renewed), a job waiting for a later time is taken when it is due
 *   maps   every `loading` or `running` map: resumeMapIfFree takes the map's lease, puts items a
 *          dead coordinator left running back to pending, finishes reading the recorded source,
 *          and dispatches the rest (a succeeded item never runs again)
 * Each job or map is driven at most once at a time in this engine (a set of ids being driven).
 *
 * States: scanning (between scans, sleeping on the clock) -> stopping (stop(): no new scan and no
 * new relay; running relays and map dispatches finish, maps stop dispatching) -> aborting (the
 * deadline: relays are aborted and left running, unsettled, for the next engine) -> stopped (every
 * drive returned; their leases released).
 */
import { defaults } from '../../core/defaults.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Executor } from '../../ports/executor.ts';
import type { Job, MapStatus } from '../../ports/jobs.ts';
import { createJobRunner } from '../jobs/runner.ts';
import { resumeMapIfFree } from '../map/coordinator.ts';
import type { TriggerContext } from '../triggers/context.ts';
import { pause, TaskSet } from '../triggers/loop.ts';

const open = new Set<MapStatus>(['loading', 'running']);

export interface ResumeCounts {
  /** Drives of jobs and maps started by this engine (a job resumed twice counts twice). */
  jobs: number;
  maps: number;
}

/** `executor`: the engine's routing executor (not the counting wrapper), so a stalled job can still be promoted to the container. */
export async function runResume(ctx: TriggerContext, executor: Executor, counts: ResumeCounts = { jobs: 0, maps: 0 }): Promise<void> {
  const { backend, clock, stopping, aborting, settings, report } = ctx;
  // Jobs and maps run functions: an app with none has nothing to resume (and reads no job store).
  if (ctx.deps.fns.length === 0) return;
  const runner = createJobRunner({ backend, executor, fns: ctx.deps.fns, clock });
  const deps = { backend, executor, fns: ctx.deps.fns };
  const mine = new Set(ctx.deps.fns.map((f) => f.name));
  const driving = new Set<string>();
  const tasks = new TaskSet();
  const start = (key: string, work: () => Promise<unknown>) => {
    if (driving.has(key) || stopping.aborted) return;
    driving.add(key);
    tasks.add(
      work()
        .catch((err: unknown) => report.error(`resume ${key}`, err))
        .finally(() => driving.delete(key))
        .then(() => undefined),
    );
  };
  try {
    do {
      try {
        const jobs: Job[] = [...(await backend.jobs.list({ status: 'running', limit: 1000 })), ...(await backend.jobs.due(clock.now(), 1000))];
        for (const j of jobs) {
          // A job of a function this app does not declare is left to an app that does.
          if (!mine.has(j.fn)) continue;
          start(`job:${j.id}`, async () => {
            if (await runner.drive(j.id, { signal: stopping, abort: aborting })) counts.jobs++;
          });
        }
        for (const m of await backend.jobs.maps.list(1000)) {
          if (!open.has(m.status) || !mine.has(m.fn)) continue;
          start(`map:${m.id}`, async () => {
            try {
              if (await resumeMapIfFree(deps, m.id, { signal: stopping })) counts.maps++;
            } catch (err) {
              // A map whose source was not recorded (an async iterable) waits for its caller.
              if (!(err instanceof ValidationError)) throw err;
            }
          });
        }
      } catch (err) {
        report.error('resume scan', err);
      }
    } while (await pause(clock, settings.resumeScanMs ?? defaults.triggers.resumeScanMs, stopping));
  } finally {
    await tasks.settled();
  }
}
