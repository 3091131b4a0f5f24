/**
 * The routing executor: one Executor over both runtimes that picks, per invocation, where a
 * function runs: `fn.route(event)` when the function has a routing rule (seed 001's if/then/else,
 * e.g. by size or an estimated duration), else `fn.executor`. Triggers, invoke, jobs and map talk
 * to this one executor and never know which runtime ran a handler.
 */
import { show, ValidationError } from '../../core/errors.ts';
import type { ExecutorKind, FnConfig, FnRoute } from '../../core/resources/fn.ts';
import type { Executor, Invocation, InvocationError, InvokeOptions } from '../../ports/executor.ts';
import { createFunctionExecutor, type FunctionExecutorOptions } from '../executor/index.ts';
import { createContainerExecutor, type ContainerExecutorOptions } from './container-executor.ts';

export interface RoutedInvocation extends Invocation {
  executor: ExecutorKind;
}

export class RoutingExecutor implements Executor {
  constructor(readonly executors: Readonly<Record<ExecutorKind, Executor>>) {}

  /** Where this event would run; throws a ValidationError naming the function for a bad rule. */
  pick(fn: FnConfig, event: unknown, route: FnRoute | undefined = fn.route): ExecutorKind {
    if (!route) return fn.executor;
    let kind: unknown;
    try {
      kind = route(event);
    } catch (err) {
      throw new ValidationError(`fn "${fn.name}": its routing rule threw (${err instanceof Error ? err.message : String(err)}).`, { action: "Make route(event) return 'function' or 'container' for every event." });
    }
    if (kind !== 'function' && kind !== 'container') {
      throw new ValidationError(`fn "${fn.name}": its routing rule returned ${show(kind)}.`, { action: "Return 'function' or 'container'." });
    }
    return kind;
  }

  async invoke(fn: FnConfig, event: unknown, options?: InvokeOptions): Promise<RoutedInvocation> {
    const kind = this.pick(fn, event);
    const inv = await this.executors[kind].invoke(kind === fn.executor ? fn : { ...fn, executor: kind }, event, options);
    return { ...inv, executor: kind };
  }

  /** Checks the handler on the executor the function names (both load modules by the same rules). */
  async checkLoad(fn: FnConfig): Promise<InvocationError | undefined> {
    return this.executors[fn.executor].checkLoad?.(fn);
  }

  /** A function may run on either runtime (a routing rule): both load it afresh. */
  reload(fnName: string): void {
    this.executors.function.reload?.(fnName);
    this.executors.container.reload?.(fnName);
  }

  async close(): Promise<void> {
    await Promise.all([this.executors.function.close(), this.executors.container.close()]);
  }
}

/** A routing executor over a fresh function executor and a fresh container executor. */
export function createRoutingExecutor(options: FunctionExecutorOptions & Pick<ContainerExecutorOptions, 'maxRunMs'>): RoutingExecutor {
  const { maxRunMs, ...fnOptions } = options;
  return new RoutingExecutor({
    function: createFunctionExecutor(fnOptions),
    container: createContainerExecutor({ ...fnOptions, ...(maxRunMs !== undefined ? { maxRunMs } : {}) }),
  });
}
