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
import { randomBytes } from 'node:crypto';
import type { FnConfig } from '../../core/resources/fn.ts';
import { PooledExecutor, type PooledExecutorOptions } from '../executor/pooled-executor.ts';
import type { WorkerSetup } from '../executor/protocol.ts';
import { ChildWorker } from './child-worker.ts';

/** The longest delay setTimeout accepts (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const maxTimerMs = 2 ** 31 - 1;

export interface ContainerExecutorOptions extends PooledExecutorOptions {
  /** The longest one invocation may run. @defaultValue {@link maxTimerMs} (no practical limit) */
  maxRunMs?: number;
}

export class ContainerExecutor extends PooledExecutor {
  protected readonly label = 'container executor';
  private readonly maxRunMs: number;

  constructor(options: ContainerExecutorOptions) {
    super(options);
    this.maxRunMs = Math.min(options.maxRunMs ?? maxTimerMs, maxTimerMs);
  }

  protected spawn(_fn: FnConfig, setup: WorkerSetup, env: Record<string, string | undefined>): ChildWorker {
    return new ChildWorker({ setup, env });
  }

  protected timeoutFor(): number {
    return this.maxRunMs;
  }

  protected streamName(fn: FnConfig): string {
    return `container/${fn.name}/${randomBytes(16).toString('hex')}`;
  }

  /** Lets a handler tell where it runs. */
  protected extraEnv(): Record<string, string> {
    return { BATON_EXECUTOR: 'container' };
  }
}

export function createContainerExecutor(options: ContainerExecutorOptions): ContainerExecutor {
  return new ContainerExecutor(options);
}
