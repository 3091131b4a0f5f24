/**
 * The `function` executor: runs handlers in per-function pools of worker threads (pool.ts) with
 * Lambda's semantics: a hard time limit, warm workers, a Lambda context, env vars and a heap limit
 * from the function's memory setting. One executor serves a whole app; a pool is made on a
 * function's first invocation and kept until close(). A function whose worker settings change
 * (module, handler, memory, env, concurrency) gets a new pool; the old one finishes what it runs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaults } from '../../core/defaults.ts';
import { BatonError, ValidationError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Executor, Invocation, InvokeOptions, LogRecord } from '../../ports/executor.ts';
import { FnPool } from './pool.ts';
import { PoolWorker } from './pool-worker.ts';
import type { WorkerSetup } from './protocol.ts';

export interface FunctionExecutorOptions {
  /** The folder relative module paths are resolved against (the config file's folder). */
  root: string;
  /** Each log line is cut to this many bytes. @defaultValue defaults.fn.logPayloadBytes (1 KiB) */
  logPayloadBytes?: number;
  /** Log lines kept per invocation. @defaultValue defaults.fn.maxLogRecords */
  maxLogRecords?: number;
  /** Time allowed to load a module in a fresh worker. @defaultValue defaults.fn.initTimeoutMs (10 s) */
  initTimeoutMs?: number;
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

/** Lambda's log stream name: 'YYYY/MM/DD/[$LATEST]' and 32 hex digits, one per worker. */
function logStreamName(): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export class FunctionExecutor implements Executor {
  private readonly pools = new Map<string, { signature: string; pool: FnPool }>();
  private readonly retired = new Set<FnPool>();
  private closed = false;
  private readonly opts: Required<Omit<FunctionExecutorOptions, 'onLog'>> & Pick<FunctionExecutorOptions, 'onLog'>;

  constructor(options: FunctionExecutorOptions) {
    this.opts = {
      root: resolve(options.root),
      logPayloadBytes: options.logPayloadBytes ?? defaults.fn.logPayloadBytes,
      maxLogRecords: options.maxLogRecords ?? defaults.fn.maxLogRecords,
      initTimeoutMs: options.initTimeoutMs ?? defaults.fn.initTimeoutMs,
      baseEnv: options.baseEnv ?? process.env,
      ...(options.onLog ? { onLog: options.onLog } : {}),
    };
  }

  /** The handler module's file: URL: `file:` URLs as given, other paths resolved against root. */
  moduleUrl(fn: FnConfig): string {
    return fn.module.startsWith('file:') ? fn.module : pathToFileURL(resolve(this.opts.root, fn.module)).href;
  }

  async invoke(fn: FnConfig, event: unknown, options: InvokeOptions = {}): Promise<Invocation> {
    if (this.closed) throw new BatonError(`fn "${fn.name}": the executor is closed.`, { action: 'Invoke through an open executor.' });
    if (fn.executor !== 'function') throw new ValidationError(`fn "${fn.name}": executor "${String(fn.executor)}" is not the function executor.`, { action: 'Invoke it through the executor it names.' });
    let eventJson: string;
    try {
      eventJson = JSON.stringify(event ?? null);
    } catch (err) {
      throw new ValidationError(`fn "${fn.name}": the event cannot be serialized to JSON (${(err as Error).message}).`, { action: 'Pass plain data: Lambda events are JSON.' });
    }
    const pool = this.poolFor(fn);
    return pool.invoke({
      fnName: fn.name,
      requestId: options.requestId ?? randomUUID(),
      eventJson,
      timeoutMs: fn.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
    });
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
    const setup: Omit<WorkerSetup, 'logStreamName'> = {
      moduleUrl,
      module: fn.module,
      handler: fn.handler,
      fnName: fn.name,
      memoryMb: fn.memoryMb,
      logPayloadBytes: this.opts.logPayloadBytes,
      maxLogRecords: this.opts.maxLogRecords,
    };
    const spawn = () => {
      const stream = logStreamName();
      return new PoolWorker({ setup: { ...setup, logStreamName: stream }, env: this.envFor(fn, stream) });
    };
    const onLog = this.opts.onLog;
    const pool = new FnPool(fn.name, fn.concurrency, spawn, this.opts.initTimeoutMs, onLog ? (requestId, record) => onLog(fn.name, requestId, record) : undefined);
    this.pools.set(fn.name, { signature, pool });
    return pool;
  }

  /** The worker's process.env: the base, Lambda's reserved variables, then the function's own. */
  private envFor(fn: FnConfig, stream: string): Record<string, string | undefined> {
    const file = basename(fn.module, extname(fn.module));
    return {
      ...this.opts.baseEnv,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      LAMBDA_TASK_ROOT: this.opts.root,
      _HANDLER: `${file}.${fn.handler}`,
      ...fn.env,
    };
  }
}

/** Makes the `function` executor for an app whose relative module paths start at `root`. */
export function createFunctionExecutor(options: FunctionExecutorOptions): FunctionExecutor {
  return new FunctionExecutor(options);
}
