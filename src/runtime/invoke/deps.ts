import { NotFoundError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Executor } from '../../ports/executor.ts';

/** What invoking a function needs: the backend (runs, queues, topics, clock), an executor, the app's functions. */
export interface InvokeDeps {
  backend: Backend;
  executor: Executor;
  fns: readonly FnConfig[];
}

export function findFn(deps: InvokeDeps, name: string): FnConfig {
  const f = deps.fns.find((x) => x.name === name);
  if (f) return f;
  const names = deps.fns.map((x) => x.name);
  throw new NotFoundError(`Function "${name}" is not declared in this app${names.length ? ` (declared: ${names.join(', ')})` : ''}.`, {
    action: `Declare it with fn("${name}", './handlers/${name}.ts') in baton.config.ts, or invoke one of the declared functions.`,
  });
}
