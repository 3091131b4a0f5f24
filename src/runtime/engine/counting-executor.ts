/** An executor that counts what it ran (the engine's invocations, errors and timeouts) and delegates. */
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Executor, Invocation, InvokeOptions } from '../../ports/executor.ts';

export interface EngineCounters {
  /** Invocations that ran to an outcome (ok, error or timeout). */
  invocations: number;
  /** Of those, ended with an error (a throw, an init error, an abort). */
  errors: number;
  /** Of those, killed at their time limit. */
  timeouts: number;
}

export class CountingExecutor implements Executor {
  readonly counters: EngineCounters = { invocations: 0, errors: 0, timeouts: 0 };
  constructor(private readonly inner: Executor) {}

  async invoke(fn: FnConfig, event: unknown, options?: InvokeOptions): Promise<Invocation> {
    const inv = await this.inner.invoke(fn, event, options);
    this.counters.invocations++;
    if (inv.status === 'error') this.counters.errors++;
    if (inv.status === 'timeout') this.counters.timeouts++;
    return inv;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
