/**
 * The `container` executor: runs the same handler module as the function executor, with the same
 * Lambda context, log capture, error shapes and concurrency bound, in a warm child process
 * (child_process.fork, tsx registered) instead of a worker thread, and with no time limit: the
 * stand-in for ECS/Fargate in seed 001's "same code, two runtimes" pattern.
 *
 * "No time limit" means a cap of `maxRunMs` (default about 24.8 days, the longest timer Node can
 * arm); context.getRemainingTimeInMillis() counts down to it, so a handler that polls it sees a
 * very large number and never yields early. Everything else (warm reuse, FIFO waiting, aborts,
 * crash reporting, lazy replacement) is the function executor's pool (executor/pool.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaults } from '../../core/defaults.ts';
import { BatonError, ValidationError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Executor, Invocation, InvokeOptions, LogRecord } from '../../ports/executor.ts';
import { FnPool } from '../executor/pool.ts';
import type { WorkerSetup } from '../executor/protocol.ts';
import { ChildWorker } from './child-worker.ts';

/** The longest delay setTimeout accepts (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const maxTimerMs = 2 ** 31 - 1;

export interface ContainerExecutorOptions {
  /** The folder relative module paths are resolved against (the config file's folder). */
  root: string;
  /** The longest one invocation may run. @defaultValue {@link maxTimerMs} (no practical limit) */
  maxRunMs?: number;
  /** @defaultValue defaults.fn.logPayloadBytes */
  logPayloadBytes?: number;
  /** @defaultValue defaults.fn.maxLogRecords */
  maxLogRecords?: number;
  /** Time allowed to start a child and load its module. @defaultValue defaults.fn.initTimeoutMs */
  initTimeoutMs?: number;
  /** @defaultValue process.env */
  baseEnv?: Record<string, string | undefined>;
  onLog?: (fn: string, requestId: string, record: LogRecord) => void;
}

export class ContainerExecutor implements Executor {
  private readonly pools = new Map<string, { signature: string; pool: FnPool }>();
  private readonly retired = new Set<FnPool>();
  private closed = false;
  private readonly root: string;
  private readonly maxRunMs: number;

  constructor(private readonly options: ContainerExecutorOptions) {
    this.root = resolve(options.root);
    this.maxRunMs = Math.min(options.maxRunMs ?? maxTimerMs, maxTimerMs);
  }

  async invoke(fn: FnConfig, event: unknown, options: InvokeOptions = {}): Promise<Invocation> {
    if (this.closed) throw new BatonError(`fn "${fn.name}": the container executor is closed.`, { action: 'Invoke through an open executor.' });
    let eventJson: string;
    try {
      eventJson = JSON.stringify(event ?? null);
    } catch (err) {
      throw new ValidationError(`fn "${fn.name}": the event cannot be serialized to JSON (${(err as Error).message}).`, { action: 'Pass plain data: Lambda events are JSON.' });
    }
    return this.poolFor(fn).invoke({
      fnName: fn.name,
      requestId: options.requestId ?? randomUUID(),
      eventJson,
      timeoutMs: this.maxRunMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...[...this.pools.values()].map((p) => p.pool), ...this.retired];
    this.pools.clear();
    this.retired.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  private poolFor(fn: FnConfig): FnPool {
    const moduleUrl = fn.module.startsWith('file:') ? fn.module : pathToFileURL(resolve(this.root, fn.module)).href;
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
      logPayloadBytes: this.options.logPayloadBytes ?? defaults.fn.logPayloadBytes,
      maxLogRecords: this.options.maxLogRecords ?? defaults.fn.maxLogRecords,
    };
    const spawn = () => {
      const stream = `container/${fn.name}/${randomBytes(16).toString('hex')}`;
      return new ChildWorker({ setup: { ...setup, logStreamName: stream }, env: this.envFor(fn, stream) });
    };
    const onLog = this.options.onLog;
    const pool = new FnPool(fn.name, fn.concurrency, spawn, this.options.initTimeoutMs ?? defaults.fn.initTimeoutMs, onLog ? (id, r) => onLog(fn.name, id, r) : undefined);
    this.pools.set(fn.name, { signature, pool });
    return pool;
  }

  /** The same variables a function worker sees, plus BATON_EXECUTOR=container. */
  private envFor(fn: FnConfig, stream: string): Record<string, string | undefined> {
    return {
      ...(this.options.baseEnv ?? process.env),
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      LAMBDA_TASK_ROOT: this.root,
      _HANDLER: `${basename(fn.module, extname(fn.module))}.${fn.handler}`,
      BATON_EXECUTOR: 'container',
      ...fn.env,
    };
  }
}

export function createContainerExecutor(options: ContainerExecutorOptions): ContainerExecutor {
  return new ContainerExecutor(options);
}
