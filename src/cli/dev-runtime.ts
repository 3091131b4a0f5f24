/**
 * What `baton dev` runs, and how a saved baton.config.ts replaces it: the engine and the firehose
 * ingestion of the current app version, over the app's one executor (warm workers and hot reload
 * survive a config change).
 *
 * A new config version (apply) is checked first, and refused with the reasons while the previous
 * version keeps running when:
 *   - a queue removed from the config still holds messages (nothing would ever receive them);
 *   - a new or changed function's handler cannot load (missing module, syntax error, no export);
 *   - provisioning it fails (a table whose keys changed while it holds items, ...).
 * Otherwise it is provisioned, the engine is stopped as on Ctrl-C (in-flight work finishes up to
 * the deadline; nothing is restarted during an invocation) and started again on the new version;
 * the ingestion endpoint restarts on the same port when the firehoses changed. Counters add up
 * across versions. Nothing is deleted: a removed queue, table or bucket stays in the state.
 */
import type { AppSpec } from '../core/app.ts';
import type { Executor } from '../ports/executor.ts';
import type { QueueStats } from '../ports/queues.ts';
import type { App } from '../root/open-app.ts';
import { startEngine, type Engine } from '../runtime/engine/index.ts';
import type { EngineCounters } from '../runtime/engine/counting-executor.ts';
import type { RunObserver } from '../runtime/invoke/deps.ts';
import { provision } from '../runtime/provision.ts';
import { startIngestion, type Ingestion } from '../data/firehose/ingestion.ts';
import { moduleGraph } from '../runtime/executor/module-graph.ts';
import { checkHandlers } from './check-handlers.ts';
import { describeChange, diffSpecs } from './dev-config.ts';
import { FileWatch } from './dev-watch.ts';
import { loadConfig } from './load-config.ts';

export interface DevRuntimeOptions {
  app: App;
  deadlineMs: number;
  /** The ingestion port asked for (0: any free one). */
  port: number;
  observer?: RunObserver;
  onError: (where: string, err: unknown) => void;
}

/** What a config change did: applied (with notes), or refused (with the reasons), and the changes either way. */
export interface ConfigApply {
  applied: boolean;
  changes: string[];
  notes: string[];
  refused: string[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');

export class DevRuntime {
  /** The app as opened, at the version it started with. */
  readonly app: App;
  /** The version running now. */
  get spec(): AppSpec {
    return this.current.spec;
  }
  /** The app at the version running now (app.withSpec after each applied config): what the dashboard serves. */
  current: App;
  private readonly appListeners = new Set<(app: App) => void | Promise<void>>();
  engine!: Engine;
  ingestion!: Ingestion;
  private readonly past: EngineCounters = { invocations: 0, errors: 0, timeouts: 0 };
  private final = false;
  /** The engine's counters are in `past` already (it stopped for a config change). */
  private counted = false;
  /** The config change being applied, if any. */
  private busy: Promise<unknown> = Promise.resolve();
  /** The app's executor as each engine sees it: an engine stopped for a config change must not close it. */
  private readonly shared: Executor;

  constructor(private readonly o: DevRuntimeOptions) {
    this.app = o.app;
    this.current = o.app;
    const inner = o.app.executor;
    this.shared = {
      invoke: (fn, event, options) => inner.invoke(fn, event, options),
      ...(inner.checkLoad ? { checkLoad: (fn: Parameters<NonNullable<Executor['checkLoad']>>[0]) => inner.checkLoad!(fn) } : {}),
      ...(inner.reload ? { reload: (fn: string) => inner.reload!(fn) } : {}),
      close: () => (this.final ? inner.close() : Promise.resolve()),
    };
  }

  /** Provisions and starts the engine and the ingestion of the current version. */
  async start(): Promise<Engine> {
    this.engine = await this.startEngine();
    this.ingestion = await startIngestion(this.o.app.backend, this.spec, this.o.port);
    return this.engine;
  }

  /** Invocations so far, across every config version. */
  get counters(): EngineCounters {
    const c = this.counted ? { invocations: 0, errors: 0, timeouts: 0 } : this.engine.counters;
    return { invocations: this.past.invocations + c.invocations, errors: this.past.errors + c.errors, timeouts: this.past.timeouts + c.timeouts };
  }

  inFlight(): number {
    return this.engine.inFlight();
  }

  queueStats(): Promise<QueueStats[]> {
    return this.engine.queueStats();
  }

  /** Calls `listener` with the app at each new version once it is applied (the dashboard follows it); returns the unsubscribe. */
  onApp(listener: (app: App) => void | Promise<void>): () => void {
    this.appListeners.add(listener);
    return () => this.appListeners.delete(listener);
  }

  /** Replaces the running version with `next`, or refuses and says why (see the top of this file). One at a time; none once stop() is called. */
  apply(next: AppSpec): Promise<ConfigApply> {
    const applied = this.busy.then(() => this.applyNow(next));
    this.busy = applied.catch(() => undefined);
    return applied;
  }

  private async applyNow(next: AppSpec): Promise<ConfigApply> {
    const { app } = this.o;
    const diff = diffSpecs(this.spec, next);
    const out: ConfigApply = { applied: false, changes: diff.map(describeChange), notes: [], refused: [] };
    if (diff.length === 0) return out;
    if (this.final) return { ...out, refused: ['baton dev is stopping'] };
    for (const c of diff) {
      if (c.change !== 'removed') continue;
      if (c.kind === 'queue') {
        const s = await app.backend.queues.stats(c.name).catch(() => undefined);
        const held = s ? s.visible + s.inFlight + s.delayed : 0;
        if (held > 0) out.refused.push(`queue "${c.name}" was removed from the config but holds ${held} message(s) that nothing would receive; let them drain, purge the queue, or put it back in the config`);
        else out.notes.push(`queue "${c.name}" left the config; it is empty and stays in the state (Baton deletes no queue)`);
      } else if (c.kind === 'table' || c.kind === 'bucket') {
        out.notes.push(`${c.kind} "${c.name}" left the config; it stays in the state with its ${c.kind === 'table' ? 'items' : 'objects'}`);
      }
    }
    const touched = new Set(diff.filter((c) => c.kind === 'fn' && c.change !== 'removed').map((c) => c.name));
    const check = await checkHandlers({ ...next, fns: next.fns.filter((f) => touched.has(f.name)) }, app.executor);
    out.refused.push(...check.broken);
    if (out.refused.length > 0) return out;
    try {
      await provision(app.backend, next);
    } catch (err) {
      out.refused.push(`provisioning failed: ${message(err)}`);
      return out;
    }
    for (const c of diff) if (c.kind === 'params' && c.change === 'changed') out.notes.push(`params "${c.name}": initial values apply to parameters not stored yet; stored values are kept (baton params put --overwrite changes one)`);
    const hosesChanged = diff.some((c) => c.kind === 'firehose');
    await this.stopEngine();
    if (this.final) return { ...out, refused: ['baton dev is stopping'] };
    if (hosesChanged) await this.ingestion.close();
    this.current = app.withSpec(next);
    // Changed functions load afresh; removed ones end their warm workers.
    for (const c of diff) if (c.kind === 'fn') app.executor.reload?.(c.name);
    this.engine = await this.startEngine();
    this.counted = false;
    if (hosesChanged) this.ingestion = await startIngestion(app.backend, next, this.ingestionPort());
    out.applied = true;
    for (const listener of this.appListeners) {
      try {
        await listener(this.current);
      } catch (err) {
        this.o.onError('config reload', err);
      }
    }
    return out;
  }

  /**
   * Re-applies the config whenever it (or a local file it imports) is saved, debounced: loads it
   * (a config that does not load is reported, and the running version kept) and applies it.
   * Each result goes to `onResult`; one change is applied at a time.
   */
  watchConfig(file: string, debounceMs: number, onResult: (r: ConfigApply | { error: string }) => void): { close(): void } {
    let chain = Promise.resolve();
    const watch = new FileWatch(() => {
      chain = chain.then(async () => {
        try {
          const next = await loadConfig(file);
          watch.set(moduleGraph(file));
          onResult(await this.apply(next));
        } catch (err) {
          onResult({ error: message(err) });
        }
      });
    }, debounceMs);
    watch.set(moduleGraph(file));
    return { close: () => watch.close() };
  }

  /** Stops for good: the ingestion, then the engine (in-flight work has the deadline), then the executor. */
  async stop(): Promise<void> {
    this.final = true;
    await this.busy;
    await this.ingestion.close();
    await this.engine.stop({ deadlineMs: this.o.deadlineMs });
  }

  private startEngine(): Promise<Engine> {
    return startEngine({
      backend: this.o.app.backend,
      spec: this.spec,
      executor: this.shared,
      // Past the deadline, closing the executor ends async invocations (only on the final stop: see shared).
      closeExecutor: true,
      onError: this.o.onError,
      ...(this.o.observer ? { observer: this.o.observer } : {}),
    });
  }

  private async stopEngine(): Promise<void> {
    await this.engine.stop({ deadlineMs: this.o.deadlineMs });
    const c = this.engine.counters;
    this.past.invocations += c.invocations;
    this.past.errors += c.errors;
    this.past.timeouts += c.timeouts;
    this.counted = true;
  }

  /** Clients keep the URL they were given: the port the ingestion has now, else the one asked for. */
  private ingestionPort(): number {
    const url = this.ingestion.url;
    return url ? Number(new URL(url).port) : this.o.port;
  }
}
