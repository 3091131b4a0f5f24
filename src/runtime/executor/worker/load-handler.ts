/**
 * Loads a handler module in a worker and finds the handler export. Failures become init errors
 * in Lambda's vocabulary, each naming the function, the module and the cause, and saying what to
 * fix:
 *   Runtime.ImportModuleError    the module (or something it imports) cannot be found
 *   Runtime.UserCodeSyntaxError  the module does not parse (or, in TypeScript, does not compile)
 *   Runtime.InitError            the module threw while it ran its top-level code
 *   Runtime.HandlerNotFound      the export is missing or is not a function (lists the exports)
 * A CommonJS module (module.exports = { handler }) is found under the namespace's default export.
 */
import { fileURLToPath } from 'node:url';
import type { InvocationError } from '../../../ports/executor.ts';
import { jobsWarmed } from '../../jobs/connect.ts';
import { runtimeError } from '../errors.ts';
import type { WorkerSetup } from '../protocol.ts';
import type { AnyHandler } from './call-handler.ts';

export type LoadResult = { ok: true; handler: AnyHandler } | { ok: false; error: InvocationError };

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function classify(setup: WorkerSetup, err: unknown): InvocationError {
  const where = `fn "${setup.fnName}": module "${setup.module}"`;
  const code = (err as { code?: unknown } | null)?.code;
  const stack = err instanceof Error ? err.stack : undefined;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const path = setup.moduleUrl.startsWith('file:') ? fileURLToPath(setup.moduleUrl) : setup.moduleUrl;
    // Node says "Cannot find module '<missing>' imported from <importer>": only the missing part counts.
    const self = err instanceof Error && err.message.split(' imported from ')[0]!.includes(path);
    return runtimeError(
      'Runtime.ImportModuleError',
      self
        ? `${where} was not found (looked for ${path}). Check the module path in fn("${setup.fnName}", ...): relative paths are resolved against the config file's folder.`
        : `${where} cannot be loaded: ${describe(err)}. Install the missing package or fix the import in the module.`,
      'INIT_ERROR',
      stack,
    );
  }
  // TypeScript is compiled with esbuild (compile-cache.mjs, or tsx), whose parse errors are TransformErrors ('file:line:col: ERROR: ...').
  if (err instanceof SyntaxError || (err instanceof Error && err.name === 'TransformError')) {
    return runtimeError('Runtime.UserCodeSyntaxError', `${where} has a syntax error: ${err.message.replace(/\s*\n\s*/g, ' ')}. Fix the module; it is loaded again on the next invocation.`, 'INIT_ERROR', stack);
  }
  return runtimeError('Runtime.InitError', `${where} threw while loading: ${describe(err)}. Fix the module's top-level code; it is loaded again on the next invocation.`, 'INIT_ERROR', stack);
}

function exportsOf(ns: Record<string, unknown>): string[] {
  const names = Object.keys(ns).filter((k) => k !== 'default' || typeof ns.default === 'function');
  const cjs = ns.default;
  if (cjs && typeof cjs === 'object') names.push(...Object.keys(cjs).map((k) => `default.${k}`));
  return names;
}

/** `importHandler` stands for `import(setup.moduleUrl)` when the module was compiled (compile-cache.mjs). */
export async function loadHandler(setup: WorkerSetup, importHandler?: () => Promise<unknown>): Promise<LoadResult> {
  let ns: Record<string, unknown>;
  try {
    ns = (await (importHandler ? importHandler() : import(setup.moduleUrl))) as Record<string, unknown>;
    // A job handler's store loads during the cold start, not in its first relay (jobs/connect.ts).
    await jobsWarmed();
  } catch (err) {
    return { ok: false, error: classify(setup, err) };
  }
  const cjs = ns.default && typeof ns.default === 'object' ? (ns.default as Record<string, unknown>) : undefined;
  const found = setup.handler in ns ? ns[setup.handler] : cjs?.[setup.handler];
  if (typeof found === 'function') return { ok: true, handler: found as AnyHandler };
  const where = `fn "${setup.fnName}": module "${setup.module}"`;
  const names = exportsOf(ns);
  const has = names.length ? `it exports: ${names.join(', ')}` : 'it has no exports';
  const message =
    found === undefined
      ? `${where} has no export "${setup.handler}" (${has}). Export the handler as "${setup.handler}", or name the export with the handler option of fn("${setup.fnName}", ...).`
      : `${where}: export "${setup.handler}" is ${found === null ? 'null' : `a ${typeof found}`}, not a function (${has}). Export the handler function as "${setup.handler}".`;
  return { ok: false, error: runtimeError('Runtime.HandlerNotFound', message, 'INIT_ERROR') };
}
