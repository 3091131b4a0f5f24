import { NotFoundError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Executor } from '../../ports/executor.ts';
import type { RunError, RunStatus } from '../../ports/runs.ts';

/** A run as invokeSync starts it: the run id is known before the handler runs (and logs). */
export interface RunStarted {
  fn: string;
  runId: string;
  requestId: string;
  trigger: string;
  attempt: number;
}

/** A run as invokeSync finishes it: its recorded status and error (a partial batch failure included). */
export interface RunFinished extends RunStarted {
  status: Exclude<RunStatus, 'running'>;
  durationMs: number;
  error?: RunError;
}

/** Told of every run invokeSync records (`baton dev` streams failures with it). Must not throw. */
export interface RunObserver {
  started?(run: RunStarted): void;
  finished?(run: RunFinished): void;
}

/** What invoking a function needs: the backend (runs, queues, topics, clock), an executor, the app's functions. */
export interface InvokeDeps {
  backend: Backend;
  executor: Executor;
  fns: readonly FnConfig[];
  /** Told when each run starts and finishes. */
  observer?: RunObserver;
}

export function findFn(deps: InvokeDeps, name: string): FnConfig {
  const f = deps.fns.find((x) => x.name === name);
  if (f) return f;
  const names = deps.fns.map((x) => x.name);
  throw new NotFoundError(`Function "${name}" is not declared in this app${names.length ? ` (declared: ${names.join(', ')})` : ''}.`, {
    action: `Declare it with fn("${name}", './handlers/${name}.ts') in baton.config.ts, or invoke one of the declared functions.`,
  });
}
