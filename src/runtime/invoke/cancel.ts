/**
 * Stopping a run that someone asked to cancel (issue 14). The semantics:
 *
 * - Cancelling is a REQUEST stored with the run (RunStore.requestCancel), because whoever asks (the
 *   dashboard, `baton runs cancel`) may be another process than the one running the run. Only a
 *   running run can be cancelled; the store refuses one that has ended ("already ended ok").
 * - Every run invokeSync starts in this process is held here (per run store) from its start to its
 *   finish, with the AbortController its invocation listens to. `watchCancels` reads the store's
 *   cancel requests every defaults.runs.cancelPollMs (1 s, on the clock) while this process holds
 *   runs, and aborts those it holds: the executor stops the invocation as on a timeout (its worker
 *   is terminated). The engine runs one watch for its lifetime; the dashboard runs one while a run
 *   it retried is going.
 * - invokeSync then finishes the run `cancelled`, error type 'Baton.Cancelled' and a message saying
 *   who asked and when, and hands its caller a failed invocation (`cancelled: true`), so no record
 *   is lost: a queue trigger releases its messages (they come back after the visibility timeout,
 *   counting a receive, so a message cancelled every time ends in the DLQ after maxReceiveCount); a
 *   stream batch is retried per its rules; an async invocation is NOT retried (the user asked to
 *   stop it) but goes to its on-failure destination with the cancellation as its error.
 * - A run that is a job relay also cancels its job (cancel-run.ts, at request time).
 *
 * A handler that returned before the abort reached it keeps its outcome: the request came too late.
 */
import type { Clock } from '../../core/clock.ts';
import { defaults } from '../../core/defaults.ts';
import type { CancelRequest, RunStore } from '../../ports/runs.ts';

/** The abort reason of a cancelled run: who asked and when. */
export class RunCancelled extends Error {
  override readonly name = 'RunCancelled';
  constructor(readonly request: CancelRequest) {
    super(cancelMessage(request));
  }
}

/** 'Run abc was cancelled by dashboard at 2026-12-06T08:00:00.000Z; its worker was stopped.' */
export function cancelMessage(r: CancelRequest): string {
  return `Run ${r.runId} was cancelled by ${r.by ?? 'a request'} at ${new Date(r.at).toISOString()}; its worker was stopped.`;
}

const held = new WeakMap<RunStore, Map<string, AbortController>>();

/** Holds a running run of `runs` so a cancel request can abort it; returns the release. */
export function holdRun(runs: RunStore, runId: string, controller: AbortController): () => void {
  let mine = held.get(runs);
  if (!mine) held.set(runs, (mine = new Map()));
  mine.set(runId, controller);
  const map = mine;
  return () => void map.delete(runId);
}

/** How many runs of `runs` this process holds now. */
function heldRuns(runs: RunStore): number {
  return held.get(runs)?.size ?? 0;
}

/** Aborts the held runs that have a request; returns how many. */
function applyCancelRequests(runs: RunStore, requests: readonly CancelRequest[]): number {
  const mine = held.get(runs);
  let n = 0;
  if (!mine) return 0;
  for (const r of requests) {
    const c = mine.get(r.runId);
    if (c && !c.signal.aborted) {
      c.abort(new RunCancelled(r));
      n++;
    }
  }
  return n;
}

export interface WatchCancelsOptions {
  runs: RunStore;
  clock: Clock;
  /** Ends the watch. */
  signal: AbortSignal;
  /** @defaultValue defaults.runs.cancelPollMs */
  everyMs?: number;
  /** Where a failed read goes (the watch goes on). */
  onError?: (err: unknown) => void;
}

/** Reads cancel requests every `everyMs` while this process holds runs of the store, and stops those it holds; resolves once `signal` aborts. */
export async function watchCancels(options: WatchCancelsOptions): Promise<void> {
  const everyMs = options.everyMs ?? defaults.runs.cancelPollMs;
  // One read per store however many watches run (the engine's, one per dashboard retry): the oldest watch reads.
  const me = Symbol('watch');
  let mine = watches.get(options.runs);
  if (!mine) watches.set(options.runs, (mine = new Set()));
  mine.add(me);
  const leads = (set: Set<symbol>) => set.values().next().value === me;
  try {
    while (!options.signal.aborted) {
      try {
        await options.clock.sleep(everyMs, options.signal);
      } catch {
        return;
      }
      if (!leads(mine) || heldRuns(options.runs) === 0) continue;
      try {
        applyCancelRequests(options.runs, await options.runs.cancelRequests());
      } catch (err) {
        options.onError?.(err);
      }
    }
  } finally {
    mine.delete(me);
  }
}

/** The running watches of each store, oldest first. */
const watches = new WeakMap<RunStore, Set<symbol>>();
