/**
 * `baton dev`'s start check: every function's handler module is loaded once, the way an
 * invocation's cold start loads it (the executor's checkLoad, which runs worker/load-handler.ts in
 * a worker of the function's own executor: same resolution against the config's folder, same
 * CommonJS/ESM rules, same export lookup), before anything is provisioned.
 *
 * A missing module, a missing dependency, a syntax error, a missing export or an export that is not
 * a function stops dev with one line per broken function. A module that throws in its top-level
 * code, or is slow to load, is only reported: it may need resources provisioning has not made yet.
 */
import type { AppSpec } from '../core/app.ts';
import { DefinitionError } from '../core/errors.ts';
import type { Executor, InvocationError } from '../ports/executor.ts';

/** Init errors that no provisioning can cure. */
const broken = new Set(['Runtime.ImportModuleError', 'Runtime.UserCodeSyntaxError', 'Runtime.HandlerNotFound']);

/** true for an init error only a change to the code cures (not a module that threw or was slow). */
export function cannotLoad(error: InvocationError): boolean {
  return broken.has(error.errorType);
}

export interface HandlerCheck {
  /** One line per function that cannot load its handler. */
  broken: string[];
  /** One line per function whose module threw or timed out while loading (dev still starts). */
  notes: string[];
}

function oneLine(error: InvocationError): string {
  return `${error.errorType}: ${error.errorMessage.replace(/\s*\n\s*/g, ' ')}`;
}

/** Loads every function's handler (at most `parallel` at a time) and sorts the failures. */
export async function checkHandlers(spec: AppSpec, executor: Executor, parallel = 4): Promise<HandlerCheck> {
  const out: HandlerCheck = { broken: [], notes: [] };
  if (!executor.checkLoad) return out;
  const errors = new Array<InvocationError | undefined>(spec.fns.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < spec.fns.length; i = next++) errors[i] = await executor.checkLoad!(spec.fns[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, spec.fns.length) }, lane));
  for (const error of errors) {
    if (!error) continue;
    (broken.has(error.errorType) ? out.broken : out.notes).push(oneLine(error));
  }
  return out;
}

/** The error `baton dev` stops with when some handler cannot load. */
export function handlerCheckError(lines: string[]): DefinitionError {
  return new DefinitionError(`baton dev: not starting: ${lines.length} function(s) cannot load their handler (fix these, then start again):\n${lines.map((l) => `  ${l}`).join('\n')}`);
}
