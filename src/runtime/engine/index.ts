/**
 * The engine: runs an app. `startEngine` provisions the backend, then starts one loop per
 * trigger, schedule, alarm and pump, each tracked (no floating promise):
 *
 *   queue triggers    queue -> fn batches (triggers/queue.ts)
 *   stream triggers   table stream -> fn batches (triggers/stream.ts)
 *   object events     the object store's outbox -> invokeAsync (triggers/objects.ts)
 *   topic -> fn       a topic's function subscriptions -> invokeAsync (triggers/topic.ts)
 *   schedules         clock -> fn / queue / topic (triggers/schedule.ts)
 *   alarms            queue stats -> topic, once per transition (alarms/)
 *   async drain       drainAsync: async invocations, retries, destinations (async-drain.ts)
 *   topic flush       topics.flush() every second: file and webhook subscribers (topic-flush.ts)
 *   resume            jobs and maps whose driver died, and due jobs, driven here (resume.ts)
 *   registry          this engine's heartbeat entry; `others` are the engines already running
 *                     on the same state when it started (registry.ts)
 *   cancel watch      every second while this process runs runs: the store's cancel requests;
 *                     a requested run held here is stopped (invoke/cancel.ts)
 *
 * States: running -> stopping (stop() called: no new receive, read or tick; running batches go
 * on) -> aborting (the deadline passed: running invocations are aborted and their messages made
 * visible at once; an executor the engine made is closed, which also ends async invocations,
 * whose events are then retried after their backoff) -> stopped (every loop has returned; the executor is closed if the engine
 * made it, or if closeExecutor says so).
 */
import { setMaxListeners } from 'node:events';
import type { AppSpec } from '../../core/app.ts';
import { defaults } from '../../core/defaults.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Executor } from '../../ports/executor.ts';
import type { QueueStats } from '../../ports/queues.ts';
import { createRoutingExecutor } from '../container/index.ts';
import { applyHeapGrowth } from '../heap.ts';
import { watchCancels } from '../invoke/cancel.ts';
import { provision } from '../provision.ts';
import type { RunObserver } from '../invoke/deps.ts';
import type { EngineReport, TriggerContext, TriggerSettings } from '../triggers/context.ts';
import { runAsyncDrain } from './async-drain.ts';
import { CountingExecutor, type EngineCounters } from './counting-executor.ts';
import { startLoops, type EngineLoops } from './loops.ts';
import { EngineRegistry, type EngineEntry } from './registry.ts';
import { runResume } from './resume.ts';

export interface EngineOptions {
  backend: Backend;
  spec: AppSpec;
  /** Default: a routing executor (function or container, per fn) rooted at spec.root (the config file's folder). */
  executor?: Executor;
  /** Default: the backend's clock. Schedules, alarms, heartbeats and backoffs sleep on it. */
  clock?: Clock;
  /** Overrides of defaults.triggers (poll intervals, backoffs, ...). */
  settings?: Partial<TriggerSettings>;
  /** Backoff before the first async retry. @defaultValue defaults.fn.asyncRetryBaseMs (1 min) */
  asyncRetryBaseMs?: number;
  /** Close the executor on stop. @defaultValue true when the engine made it, false when given one */
  closeExecutor?: boolean;
  /** Told when each run of a trigger or of the async drain starts and finishes (`baton dev` streams failures). */
  observer?: RunObserver;
  /** Where loop errors go (they never stop the engine). @defaultValue console.error */
  onError?: (where: string, err: unknown) => void;
}

export interface StopOptions {
  /** How long (real time) in-flight work may finish before it is aborted and handed back. @defaultValue defaults.triggers.stopDeadlineMs */
  deadlineMs?: number;
}

export interface Engine {
  /** This engine's entry in the engine registry. */
  readonly id: string;
  /** Other engines that were running on the same state when this one started (registry.ts). */
  readonly others: ReadonlyArray<EngineEntry>;
  /** Why the engine registry could not be read or written, if it could not (the engine runs on; others may be missing). */
  registryProblem(): string | undefined;
  /** Invocations run by this engine so far (every trigger and the async drain). */
  readonly counters: Readonly<EngineCounters>;
  /** Batches and events being worked on now. */
  inFlight(): number;
  /** Each declared queue's stats (depth, in flight, DLQ, oldest age). */
  queueStats(): Promise<QueueStats[]>;
  /** Loop errors seen so far (also passed to onError). */
  readonly errors: ReadonlyArray<{ where: string; error: unknown }>;
  /** Graceful shutdown; resolves when everything has stopped. Calling it again returns the same promise. */
  stop(options?: StopOptions): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { backend, spec } = options;
  const clock = options.clock ?? backend.clock;
  applyHeapGrowth();
  await provision(backend, spec);
  const owned = options.executor === undefined;
  const inner = options.executor ?? createRoutingExecutor({ root: spec.root ?? process.cwd(), baseEnv: { ...process.env, ...backend.handlerEnv } });
  const executor = new CountingExecutor(inner);
  const closeExecutor = options.closeExecutor ?? owned;

  const stopping = new AbortController();
  const aborting = new AbortController();
  // Every loop, sleep and long poll listens on these two: far more than Node's default warning level.
  setMaxListeners(0, stopping.signal, aborting.signal);
  const errors: Array<{ where: string; error: unknown }> = [];
  const report: EngineReport = {
    error(where, err) {
      if (errors.length < 1000) errors.push({ where, error: err });
      if (options.onError) options.onError(where, err);
      else console.error(`baton engine: ${where}:`, err);
    },
  };
  const settings: TriggerSettings = { ...defaults.triggers, ...options.settings };
  const ctx: TriggerContext = { backend, deps: { backend, executor, fns: spec.fns, ...(options.observer ? { observer: options.observer } : {}) }, clock, settings, stopping: stopping.signal, aborting: aborting.signal, report };

  const registry = new EngineRegistry(backend.tables, clock, settings.engineHeartbeatMs);
  const others = await registry.register();
  const loops: EngineLoops = startLoops(ctx, spec);
  const drains = Array.from({ length: settings.asyncDrainers }, () => runAsyncDrain(ctx, options.asyncRetryBaseMs));
  const own = [registry.run(stopping.signal), runResume(ctx, inner), watchCancels({ runs: backend.runs, clock, signal: stopping.signal, onError: (err) => report.error('cancel watch', err) })];
  // A loop reports its own errors and goes on; one that still ends by throwing is reported here.
  const all = Promise.all([...loops.promises, ...drains, ...own].map((p) => p.catch((err: unknown) => report.error('a loop ended with an error', err)))).then(() => undefined);

  let stopped: Promise<void> | undefined;
  const stop = async (deadlineMs: number) => {
    stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    const first = await Promise.race([all.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    let closing: Promise<void> | undefined;
    if (first === 'deadline') {
      aborting.abort();
      // Async invocations (drainAsync) take no abort signal: closing the executor ends them (as
      // errors, so their events are retried later). A given executor is left to its owner.
      if (closeExecutor) closing = executor.close();
    }
    await all;
    if (closeExecutor) await (closing ?? executor.close());
  };

  return {
    id: registry.entry.id,
    others,
    registryProblem: () => registry.problem,
    counters: executor.counters,
    errors,
    inFlight: () => loops.inFlight(),
    async queueStats() {
      const out: QueueStats[] = [];
      for (const q of spec.queues) out.push(await backend.queues.stats(q.name));
      return out;
    },
    stop(opts: StopOptions = {}) {
      stopped ??= stop(opts.deadlineMs ?? settings.stopDeadlineMs);
      return stopped;
    },
  };
}

export type { EngineCounters } from './counting-executor.ts';
export type { TriggerSettings } from '../triggers/context.ts';
