/**
 * openApp: the one place an app is assembled. It opens the backend by name from the registry,
 * builds the executor once (on first use), and hands out what the CLI, tests and scripts do with
 * an app: provision, invoke, the engine, jobs, map and query.
 *
 *   import { openApp } from 'baton/root';
 *   const app = await openApp(spec, { backend: 'aws', aws: { region: 'eu-west-1' } });
 *   try { await app.invoke('hello', { name: 'x' }); } finally { await app.close(); }
 */
import type { AwsBackendOptions } from '../backends/aws/options.ts';
import type { LocalBackendOptions } from '../backends/local/index.ts';
import type { AppSpec } from '../core/app.ts';
import type { Clock } from '../core/clock.ts';
import { rememberSecret } from '../core/secrets.ts';
import type { Backend } from '../ports/backend.ts';
import type { Executor, LogRecord } from '../ports/executor.ts';
import { createRoutingExecutor } from '../runtime/container/index.ts';
import { startEngine, type Engine, type EngineOptions } from '../runtime/engine/index.ts';
import { invokeAsync, invokeSync, type AsyncOptions, type InvokeResult, type InvokeSyncOptions } from '../runtime/invoke/index.ts';
import { createJobRunner, type JobRunner } from '../runtime/jobs/index.ts';
import { map, redriveMap, resumeMap, type MapOptions, type MapSource, type MapSummary } from '../runtime/map/index.ts';
import type { QueryParams, QueryResult } from '../data/query.ts';
import { provision, type ProvisionReport } from '../runtime/provision.ts';
import { backendName, loadBackend, type BackendName } from './registry.ts';

export interface OpenAppOptions {
  /** Which backend the app runs on. @defaultValue 'local' */
  backend?: BackendName;
  /** Options of the local backend (state directory, params key, ...). */
  local?: LocalBackendOptions;
  /** Options of the aws backend. The physical-name prefix defaults to $BATON_AWS_PREFIX, else '<app name>-'. */
  aws?: AwsBackendOptions;
  /** The backend's clock (and so the engine's, the job runner's). @defaultValue the system clock */
  clock?: Clock;
  /** Use this executor instead of building one; the app leaves closing it to you. */
  executor?: Executor;
  /** Called with every log line a handler writes, as it arrives (the executor's onLog; `baton dev` streams them). */
  onLog?: (fn: string, requestId: string, record: LogRecord) => void;
  /** Where defaults are read from (BATON_AWS_PREFIX) and the base of every handler's environment. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

export type AppEngineOptions = Omit<EngineOptions, 'backend' | 'spec' | 'executor'>;

/** An open app: its backend and everything that runs its functions. */
export interface App {
  readonly spec: AppSpec;
  readonly backend: Backend;
  /** The routing executor (function or container per fn), built on first use and kept. */
  readonly executor: Executor;
  /** The job runner (long jobs that relay), made on first use. */
  readonly jobs: JobRunner;
  /** Declares the app's queues, buckets, tables, topics and initial params; idempotent. */
  provision(): Promise<ProvisionReport>;
  /** Runs `fn` once with `event` and records the run. */
  invoke(fn: string, event: unknown, options?: InvokeSyncOptions): Promise<InvokeResult>;
  /** Queues `event` for `fn` (Lambda's asynchronous invoke); the engine drains it. */
  invokeAsync(fn: string, event: unknown, options?: AsyncOptions): Promise<{ requestId: string; messageId: string }>;
  /** Provisions, then runs every trigger, schedule and alarm on the app's executor until stopped. */
  startEngine(options?: AppEngineOptions): Promise<Engine>;
  map(fn: string, source: MapSource, options?: MapOptions): Promise<MapSummary>;
  resumeMap(id: string, options?: MapOptions): Promise<MapSummary>;
  redriveMap(id: string, options?: MapOptions): Promise<MapSummary & { redriven: number }>;
  /** SQL over the lake's catalog tables (DuckDB, loaded on first use). */
  query(sql: string, params?: QueryParams, options?: { catalogBucket?: string }): Promise<QueryResult>;
  /**
   * The same open app (backend, executor, state) running another version of its spec: invoke, map
   * and jobs use that version's functions. `baton dev` hands it around when a saved config is
   * applied. Closing either closes both.
   */
  withSpec(spec: AppSpec): App;
  /** Closes the executor (if the app built it), then the backend. */
  close(): Promise<void>;
}

async function openBackend(spec: AppSpec, options: OpenAppOptions, env: NodeJS.ProcessEnv): Promise<Backend> {
  const name = backendName(options.backend ?? 'local');
  const clock = options.clock ? { clock: options.clock } : {};
  if (name === 'aws') {
    // Two apps (or stages) in one account must not share queues: names are prefixed by default.
    const prefix = options.aws?.prefix ?? env.BATON_AWS_PREFIX ?? `${spec.name}-`;
    return (await loadBackend('aws')).open({ ...clock, ...options.aws, prefix });
  }
  return (await loadBackend('local')).open({ ...clock, ...options.local });
}

export async function openApp(spec: AppSpec, options: OpenAppOptions = {}): Promise<App> {
  const env = options.env ?? process.env;
  const backend = await openBackend(spec, options, env);
  let built: Executor | undefined;
  let closed: Promise<void> | undefined;
  const executor = (): Executor => {
    if (options.executor) return options.executor;
    built ??= createRoutingExecutor({ root: spec.root ?? process.cwd(), baseEnv: { ...env, ...backend.handlerEnv }, ...(options.onLog ? { onLog: options.onLog } : {}) });
    return built;
  };
  const close = () => {
    closed ??= (async () => {
      try {
        await built?.close();
      } finally {
        await backend.close();
      }
    })();
    return closed;
  };

  /** The handle of one version of the spec over the shared backend and executor. */
  const handle = (spec: AppSpec): App => {
    // The app's own SecureString values are secrets this process knows: redacted from the runs it records.
    for (const ns of spec.params) for (const p of ns.initial) if (p.type === 'SecureString') rememberSecret(p.value);
    let runner: JobRunner | undefined;
    const deps = () => ({ backend, executor: executor(), fns: spec.fns });
    return {
      spec,
      backend,
      get executor() {
        return executor();
      },
      get jobs() {
        runner ??= createJobRunner({ ...deps(), ...(options.clock ? { clock: options.clock } : {}) });
        return runner;
      },
      provision: () => provision(backend, spec),
      invoke: (fn, event, o) => invokeSync(deps(), fn, event, o),
      invokeAsync: (fn, event, o) => invokeAsync(deps(), fn, event, o),
      startEngine: (o = {}) => startEngine({ ...(options.clock ? { clock: options.clock } : {}), ...o, backend, spec, executor: executor() }),
      map: (fn, source, o) => map(deps(), fn, source, o),
      resumeMap: (id, o) => resumeMap(deps(), id, o),
      redriveMap: (id, o) => redriveMap(deps(), id, o),
      async query(sql, params, o = {}) {
        // Imported here: the data plane loads DuckDB, which an app that never queries should not pay for.
        const [{ Catalog }, data] = await Promise.all([import('../data/catalog/index.ts'), import('../data/query.ts')]);
        return data.query(await Catalog.open(backend.objects, o.catalogBucket), sql, params);
      },
      withSpec: handle,
      close,
    };
  };
  return handle(spec);
}
