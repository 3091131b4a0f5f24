/**
 * The `function` executor: runs handlers in per-function pools of worker threads (pool.ts) with
 * Lambda's semantics: a hard time limit (the function's timeout), warm workers, a Lambda context,
 * env vars and a heap limit from the function's memory setting. Pool management is shared with
 * the container executor (pooled-executor.ts).
 */
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import { PoolWorker } from './pool-worker.ts';
import { PooledExecutor, type PooledExecutorOptions } from './pooled-executor.ts';
import type { WorkerSetup } from './protocol.ts';

export type { PoolStats } from './pooled-executor.ts';
export type FunctionExecutorOptions = PooledExecutorOptions;

/** Lambda's log stream name: 'YYYY/MM/DD/[$LATEST]' and 32 hex digits, one per worker. */
function logStreamName(): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export class FunctionExecutor extends PooledExecutor {
  protected readonly label = 'executor';

  protected override check(fn: FnConfig): void {
    if (fn.executor !== 'function') throw new ValidationError(`fn "${fn.name}": executor "${String(fn.executor)}" is not the function executor.`, { action: 'Invoke it through the executor it names.' });
  }

  protected spawn(_fn: FnConfig, setup: WorkerSetup, env: Record<string, string | undefined>): PoolWorker {
    return new PoolWorker({ setup, env });
  }

  protected timeoutFor(fn: FnConfig): number {
    return fn.timeoutMs;
  }

  protected streamName(): string {
    return logStreamName();
  }

  protected extraEnv(): Record<string, string> {
    return { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' };
  }
}

/** Makes the `function` executor for an app whose relative module paths start at `root`. */
export function createFunctionExecutor(options: FunctionExecutorOptions): FunctionExecutor {
  return new FunctionExecutor(options);
}
