// Types of compile-cache.mjs (plain JavaScript: a worker runs it before anything could load TypeScript).

/** True for a handler module compileWorker() compiles (a TypeScript file: .ts, .tsx, .mts, .cts). */
export function isTypeScriptModule(moduleUrl: string): boolean;

/** Where compiled handlers are kept: BATON_COMPILE_CACHE, else a folder per user in the temp dir. */
export function cacheRoot(env?: Readonly<Record<string, string | undefined>>): string;

/** The `--conditions` this process resolves with (flags and NODE_OPTIONS). */
export function customConditions(execArgv?: readonly string[], nodeOptions?: string): string[];

export interface CompileOptions {
  /** Export conditions to resolve packages with. @defaultValue customConditions() */
  conditions?: string[];
  /** @defaultValue cacheRoot() */
  cacheRoot?: string;
}

export interface Compiled {
  /** file: URL of the runtime entry: exports what the last of runtimeFiles exports. */
  runtimeUrl: string;
  /** file: URL of the handler entry (absent when compiled without a handler). */
  handlerUrl?: string;
}

/**
 * The worker runtime (`runtimeFiles`, imported in order) and `moduleUrl`'s handler compiled to
 * plain JavaScript, from the cache when nothing they read has changed. Throws the handler's own
 * error (name TransformError, or code ERR_MODULE_NOT_FOUND) when it does not compile; any other
 * failure throws an error with `compilerUnavailable: true`.
 */
export function compileWorker(moduleUrl: string | undefined, runtimeFiles: readonly string[], options?: CompileOptions): Promise<Compiled>;
