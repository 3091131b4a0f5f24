/**
 * `baton dev`'s hot reload of handlers: each function's module and the local files it imports
 * (runtime/executor/module-graph.ts) are watched (dev-watch.ts, debounced); when one changes, every
 * function that loads it is reloaded in the executor (its next invocation starts a new worker that
 * loads the module afresh; an invocation running now finishes in its old worker), the graph is read
 * again (the change may add an import), and each reloaded handler is loaded once as a cold start
 * would, so a syntax error or a missing export is reported at once rather than at the next event.
 */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaults } from '../core/defaults.ts';
import type { FnConfig } from '../core/resources/fn.ts';
import type { Executor } from '../ports/executor.ts';
import { moduleGraph } from '../runtime/executor/module-graph.ts';
import type { DevRuntime } from './dev-runtime.ts';
import { cannotLoad } from './check-handlers.ts';
import { FileWatch } from './dev-watch.ts';

export interface HandlerReload {
  /** The files that changed (relative to the root). */
  files: string[];
  /** The functions reloaded. */
  fns: string[];
  /** Reloaded functions whose handler does not load now, with why (one line each). */
  broken: string[];
  /** Reloaded functions whose module threw or was slow while loading (it may need a resource; loaded again on the next invocation). */
  notes?: string[];
}

export interface HandlerReloaderOptions {
  /** The folder relative module paths are resolved against (the config file's). */
  root: string;
  executor: Executor;
  debounceMs: number;
  /** Told after each reload (and its load check). */
  onReload: (r: HandlerReload) => void;
}

/** The file a function's module names: a file: URL as given, a path resolved against root (as the executor resolves it). */
export function moduleFile(root: string, fn: Pick<FnConfig, 'module'>): string {
  return fn.module.startsWith('file:') ? fileURLToPath(fn.module) : resolve(root, fn.module);
}

export class HandlerReloader {
  private fns: readonly FnConfig[] = [];
  private readonly graphs = new Map<string, string[]>();
  private readonly watch: FileWatch;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: HandlerReloaderOptions) {
    this.watch = new FileWatch((files) => {
      this.chain = this.chain
        .then(() => this.changed(files))
        .catch((err: unknown) => o.onReload({ files, fns: [], broken: [`the reload failed: ${err instanceof Error ? err.message : String(err)}`] }));
    }, o.debounceMs);
  }

  /** Watches these functions' modules (again, after a config reload). */
  setFns(fns: readonly FnConfig[]): void {
    this.fns = fns;
    this.graphs.clear();
    for (const fn of fns) this.graphs.set(fn.name, moduleGraph(moduleFile(this.o.root, fn)));
    this.rewatch();
  }

  /** Every file watched now. */
  get files(): string[] {
    return this.watch.files;
  }

  close(): void {
    this.watch.close();
  }

  private rewatch(): void {
    this.watch.set(new Set([...this.graphs.values()].flat()));
  }

  private async changed(files: string[]): Promise<void> {
    const hit = new Set(files);
    const affected = this.fns.filter((fn) => this.graphs.get(fn.name)?.some((f) => hit.has(f)));
    for (const fn of affected) {
      this.o.executor.reload?.(fn.name);
      this.graphs.set(fn.name, moduleGraph(moduleFile(this.o.root, fn)));
    }
    this.rewatch();
    const broken: string[] = [];
    const notes: string[] = [];
    for (const fn of affected) {
      const error = await this.o.executor.checkLoad?.(fn);
      if (error) (cannotLoad(error) ? broken : notes).push(`fn "${fn.name}": ${error.errorType}: ${error.errorMessage.replace(/\s*\n\s*/g, ' ')}`);
    }
    this.o.onReload({ files: files.map((f) => relative(this.o.root, f) || f), fns: affected.map((f) => f.name), broken, ...(notes.length ? { notes } : {}) });
  }
}

/** One line `baton dev` prints about a reload (and its JSON form with --json). */
export type ReloadSay = (text: string, json: Record<string, unknown>) => void;

/**
 * `baton dev`'s hot reload: handlers (HandlerReloader) and the config (DevRuntime.watchConfig),
 * each change told through `say`. After a config change the new functions' modules are watched.
 */
export function watchForReload(runtime: DevRuntime, configFile: string, say: ReloadSay, debounceMs: number = defaults.dev.reloadDebounceMs): { close(): void } {
  const shown = relative(process.cwd(), configFile) || configFile;
  const handlers = new HandlerReloader({
    root: runtime.spec.root ?? dirname(configFile),
    executor: runtime.app.executor,
    debounceMs,
    onReload: (r) => {
      if (r.fns.length > 0) say(`reloaded ${r.fns.map((f) => `fn ${f}`).join(', ')} (${r.files.join(', ')} changed): the next invocation loads it afresh`, { reload: 'handlers', ...r });
      for (const line of r.broken) say(`${line} (its invocations fail until this is fixed)`, { reload: 'broken', error: line });
      for (const line of r.notes ?? []) say(`note: ${line} (loaded again on its next invocation)`, { reload: 'note', note: line });
    },
  });
  handlers.setFns(runtime.spec.fns);
  const config = runtime.watchConfig(configFile, debounceMs, (r) => {
    if ('error' in r) return say(`${shown} not reloaded, still running the previous version: ${r.error}`, { reload: 'config', applied: false, error: r.error });
    if (r.changes.length === 0) return say(`${shown} saved; nothing to re-provision`, { reload: 'config', applied: false, changes: [] });
    if (!r.applied) {
      say(`${shown} changed (${r.changes.join(', ')}) but was not applied; still running the previous version:`, { reload: 'config', ...r });
      for (const line of r.refused) say(`  ${line}`, { reload: 'refused', reason: line });
      return;
    }
    handlers.setFns(runtime.spec.fns);
    say(`${shown} changed: ${r.changes.join(', ')}; re-provisioned and restarted the triggers`, { reload: 'config', ...r });
    for (const note of r.notes) say(`note: ${note}`, { reload: 'note', note });
  });
  return {
    close() {
      handlers.close();
      config.close();
    },
  };
}
