/**
 * What the function and container executors share: a pool per function (pool.ts) made on its first
 * invocation and kept until close(), replaced when the function's worker settings change (module,
 * handler, memory, env, concurrency; the old pool finishes what it runs) or when reload() is asked
 * for (`baton dev`'s hot reload: the module changed on disk), the JSON check of the
 * event, and the Lambda environment a handler sees. A subclass says only how to start one worker
 * (thread or child process), how long an invocation may run, and what it adds to the environment.
 */
import { randomUUID } from 'node:crypto';
import { basename, extname, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaults } from '../../core/defaults.ts';
import { BatonError, show, ValidationError } from '../../core/errors.ts';
import { embeddedRegion } from '../../core/region.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import { encodedEvent, type EncodedEvent, type Executor, type Invocation, type InvocationError, type InvokeOptions, type LogRecord } from '../../ports/executor.ts';
import { runtimeError } from './errors.ts';
import { FnPool, type PoolMember } from './pool.ts';
import type { WorkerSetup } from './protocol.ts';
import { race } from './race.ts';

export interface PooledExecutorOptions {
  /** The folder relative module paths are resolved against (the config file's folder). */
  root: string;
  /** Each log line is cut to this many bytes. @defaultValue defaults.fn.logPayloadBytes (1 KiB) */
  logPayloadBytes?: number;
  /** Log lines kept per invocation. @defaultValue defaults.fn.maxLogRecords */
  maxLogRecords?: number;
  /** Time allowed to start a worker and load its module. @defaultValue defaults.fn.initTimeoutMs (10 s) */
  initTimeoutMs?: number;
  /** A warm worker idle this long is ended (Infinity: kept until close). @defaultValue defaults.fn.workerIdleMs (5 min) */
  workerIdleMs?: number;
  /** The environment workers start from, below Lambda's variables and each fn's env. @defaultValue process.env */
  baseEnv?: Record<string, string | undefined>;
  /** Called with every captured log line as it arrives, besides collecting it in the Invocation. */
  onLog?: (fn: string, requestId: string, record: LogRecord) => void;
}

export interface PoolStats {
  fn: string;
  running: number;
  waiting: number;
  workers: number;
}

type Resolved = Required<Omit<PooledExecutorOptions, 'onLog'>> & Pick<PooledExecutorOptions, 'onLog'>;

export abstract class PooledExecutor implements Executor {
  private readonly pools = new Map<string, { signature: string; pool: FnPool }>();
  private readonly retired = new Set<FnPool>();
  /** AWS_REGION and AWS_DEFAULT_REGION of every worker (a backend's handlerEnv may name its own). */
  private readonly region = embeddedRegion();
  private closed = false;
  protected readonly opts: Resolved;

  /** How the executor is named in errors ('executor', 'container executor'). */
  protected abstract readonly label: string;
  /** Starts one worker for a function's pool. */
  protected abstract spawn(fn: FnConfig, setup: WorkerSetup, env: Record<string, string | undefined>): PoolMember;
  /** The longest one invocation of `fn` may run. */
  protected abstract timeoutFor(fn: FnConfig): number;
  /** The worker's log stream name (one per worker). */
  protected abstract streamName(fn: FnConfig): string;
  /** Variables this executor adds to Lambda's own (below the function's env). */
  protected abstract extraEnv(): Record<string, string>;

  constructor(options: PooledExecutorOptions) {
    const idle = options.workerIdleMs;
    if (idle !== undefined && !(typeof idle === 'number' && idle >= 0)) {
      throw new ValidationError(`Executor option workerIdleMs: ${show(idle)} must be a number of milliseconds >= 0.`, { action: 'Pass Infinity to keep idle workers until close().' });
    }
    this.opts = {
      root: resolve(options.root),
      logPayloadBytes: options.logPayloadBytes ?? defaults.fn.logPayloadBytes,
      maxLogRecords: options.maxLogRecords ?? defaults.fn.maxLogRecords,
      initTimeoutMs: options.initTimeoutMs ?? defaults.fn.initTimeoutMs,
      workerIdleMs: options.workerIdleMs ?? defaults.fn.workerIdleMs,
      baseEnv: options.baseEnv ?? process.env,
      ...(options.onLog ? { onLog: options.onLog } : {}),
    };
  }

  /** The handler module's file: URL: `file:` URLs as given, other paths resolved against root. */
  moduleUrl(fn: FnConfig): string {
    return fn.module.startsWith('file:') ? fn.module : pathToFileURL(resolve(this.opts.root, fn.module)).href;
  }

  /** Refuses what this executor must not run; nothing by default. */
  protected check(fn: FnConfig): void {
    void fn;
  }

  async invoke(fn: FnConfig, event: unknown, options: InvokeOptions = {}): Promise<Invocation> {
    if (this.closed) throw new BatonError(`fn "${fn.name}": the ${this.label} is closed.`, { action: 'Invoke through an open executor.' });
    this.check(fn);
    const encoded = (event as { [encodedEvent]?: EncodedEvent } | null | undefined)?.[encodedEvent];
    let eventJson: string;
    try {
      eventJson = encoded ? encoded.wire() : JSON.stringify(event ?? null);
    } catch (err) {
      throw new ValidationError(`fn "${fn.name}": the event cannot be serialized to JSON (${(err as Error).message}).`, { action: 'Pass plain data: Lambda events are JSON.' });
    }
    return this.poolFor(fn).invoke({
      fnName: fn.name,
      requestId: options.requestId ?? randomUUID(),
      eventJson,
      ...(encoded ? { decoder: encoded.decoder } : {}),
      timeoutMs: this.timeoutFor(fn),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
    });
  }

  /**
   * Loads `fn`'s handler module in a worker of its own, exactly as an invocation's cold start would
   * (same resolution, module type and export rules: worker/load-handler.ts), then ends the worker.
   * Resolves with the init error an invocation would get, or undefined when the handler loads.
   * The module's top-level code runs; its console output is dropped.
   */
  async checkLoad(fn: FnConfig): Promise<InvocationError | undefined> {
    this.check(fn);
    const stream = this.streamName(fn);
    const worker = this.spawn(fn, { ...this.setupFor(fn), logStreamName: stream }, this.envFor(fn, stream));
    worker.attachLogs(() => undefined);
    try {
      const ready = await race(worker.ready, this.opts.initTimeoutMs);
      if (ready.kind === 'value') return ready.value.ok ? undefined : ready.value.error;
      return runtimeError('Sandbox.Timedout', `fn "${fn.name}": loading module "${fn.module}" took longer than ${(this.opts.initTimeoutMs / 1000).toFixed(2)} seconds.`, 'TIMEOUT');
    } finally {
      await worker.terminate();
    }
  }

  /**
   * Hot reload (ports/executor.ts): the function's pool is retired (idle workers end now, busy ones
   * once their invocation finishes) and its next invocation starts a new pool, whose workers load
   * the module afresh. Retired pools that have nothing left running are dropped.
   */
  reload(fnName: string): void {
    const existing = this.pools.get(fnName);
    if (existing) {
      this.pools.delete(fnName);
      existing.pool.retire();
      this.retired.add(existing.pool);
    }
    for (const p of this.retired) if (p.load.workers === 0 && p.load.running === 0 && p.load.waiting === 0) this.retired.delete(p);
  }

  /** What each function's pool is doing now. */
  stats(): PoolStats[] {
    return [...this.pools.entries()].map(([fn, { pool }]) => ({ fn, ...pool.load }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...[...this.pools.values()].map((p) => p.pool), ...this.retired];
    this.pools.clear();
    this.retired.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  private poolFor(fn: FnConfig): FnPool {
    const moduleUrl = this.moduleUrl(fn);
    const signature = JSON.stringify([moduleUrl, fn.handler, fn.memoryMb, fn.concurrency, fn.env]);
    const existing = this.pools.get(fn.name);
    if (existing?.signature === signature) return existing.pool;
    if (existing) {
      existing.pool.retire();
      this.retired.add(existing.pool);
    }
    const setup = this.setupFor(fn);
    const spawn = () => {
      const stream = this.streamName(fn);
      return this.spawn(fn, { ...setup, logStreamName: stream }, this.envFor(fn, stream));
    };
    const onLog = this.opts.onLog;
    const pool = new FnPool(fn.name, fn.concurrency, spawn, this.opts.initTimeoutMs, onLog ? (requestId, record) => onLog(fn.name, requestId, record) : undefined, this.opts.workerIdleMs);
    this.pools.set(fn.name, { signature, pool });
    return pool;
  }

  private setupFor(fn: FnConfig): Omit<WorkerSetup, 'logStreamName'> {
    return {
      moduleUrl: this.moduleUrl(fn),
      module: fn.module,
      handler: fn.handler,
      fnName: fn.name,
      memoryMb: fn.memoryMb,
      logPayloadBytes: this.opts.logPayloadBytes,
      maxLogRecords: this.opts.maxLogRecords,
    };
  }

  /** The worker's process.env: the base, Lambda's reserved variables, this executor's, then the function's own. */
  private envFor(fn: FnConfig, stream: string): Record<string, string | undefined> {
    return {
      ...this.opts.baseEnv,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      LAMBDA_TASK_ROOT: this.opts.root,
      // As Lambda writes it: the module's path from the task root, without its extension, then the export.
      _HANDLER: `${lambdaHandlerPath(this.opts.root, fn.module)}.${fn.handler}`,
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      ...this.extraEnv(),
      ...fn.env,
    };
  }
}

/** 'handlers/env' for <root>/handlers/env.ts: the module from the task root, '/'-separated, no extension. */
function lambdaHandlerPath(root: string, module: string): string {
  const file = module.startsWith('file:') ? fileURLToPath(module) : resolve(root, module);
  const rel = relative(root, file);
  const inside = rel !== '' && !rel.startsWith('..') && !/^([A-Za-z]:|[\\/])/.test(rel);
  const path = inside ? rel : basename(file);
  return path.slice(0, path.length - extname(path).length).split(sep).join('/');
}
