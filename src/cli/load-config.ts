/**
 * Loads baton.config.ts, whatever the project's module type. In a default `npm init` project
 * ("type": "commonjs") a .ts file is CommonJS, so the config's `import ... from 'baton'` (an ES
 * module with top-level await) would go through require() and fail (ERR_REQUIRE_CYCLE_MODULE).
 * So tsx's tsImport loads a copy of the file named .mts, beside it (same relative imports), which
 * is an ES module in any project; the copy is removed once loaded. A config that fails to compile or
 * throws while loading is reported as a DefinitionError naming the file, line and column.
 */
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { AppSpec } from '../core/app.ts';
import { BatonError, DefinitionError } from '../core/errors.ts';

export const configFileName = 'baton.config.ts';

/** Loads the app declared as the default export of baton.config.ts. */
export async function loadConfig(path = configFileName): Promise<AppSpec> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new DefinitionError(`No ${path} found in ${process.cwd()}.`, { action: `Create one that does "export default app('name', [...])" (or run "baton init"), or pass --config <file>.` });
  }
  const stem = basename(file).replace(/\.[cm]?ts$/, '');
  removeStaleCopies(dirname(file), stem);
  const copy = join(dirname(file), `.${stem}.${process.pid}.${Date.now()}.mts`);
  let mod: { default?: unknown };
  // tsx compiles with inline source maps; Node reads them (for the line of a throw) only when asked.
  process.setSourceMapsEnabled(true);
  try {
    copyFileSync(file, copy);
    mod = (await tsImport(pathToFileURL(copy).href, import.meta.url)) as { default?: unknown };
  } catch (err) {
    throw configError(file, err, copy);
  } finally {
    rmSync(copy, { force: true });
  }
  // tsImport hands a CommonJS config's exports as `default` (module.exports), so unwrap once.
  let spec = mod.default;
  if (isObject(spec) && spec.kind !== 'app' && isObject(spec.default)) spec = spec.default;
  if (!isObject(spec) || spec.kind !== 'app') {
    throw new DefinitionError(`${path} must have a default export made by app(...).`, { action: `End the file with "export default app('name', [ ...resources ])".` });
  }
  return { ...(spec as unknown as AppSpec), root: dirname(file) };
}

/** A process killed while loading (SIGKILL skips `finally`) leaves its copy behind: remove those of dead processes. */
function removeStaleCopies(dir: string, stem: string): void {
  const pattern = new RegExp(`^\\.${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.\\d+\\.mts$`);
  for (const name of readdirSync(dir)) {
    const pid = pattern.exec(name)?.[1];
    if (pid && !alive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Where in `file` an error arose: esbuild's compile errors carry it, a throw has it in its stack. */
export function locate(files: string[], err: unknown): { line: number; column: number } | undefined {
  const errors = isObject(err) && Array.isArray(err.errors) ? (err.errors as unknown[]) : [];
  for (const e of errors) {
    const loc = isObject(e) && isObject(e.location) ? e.location : undefined;
    if (loc && typeof loc.line === 'number' && typeof loc.column === 'number') return { line: loc.line, column: loc.column + 1 };
  }
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const frame of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(frame.trim());
    if (!m) continue;
    let where = m[1]!;
    if (where.startsWith('file://')) where = fileURLToPath(where.split('?')[0]!);
    if (files.includes(resolve(where))) return { line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * A BatonError, from whichever copy of Baton the config imported: tsImport loads the config's
 * imports as modules of their own (a namespaced instance), so `instanceof` this copy's class fails
 * for the very same file. Baton's errors carry a string code and an `action` property.
 */
function isBatonError(err: unknown): err is Error & { code: string } {
  return err instanceof BatonError || (err instanceof Error && isObject(err) && typeof (err as { code?: unknown }).code === 'string' && 'action' in err && /Error$/.test(err.name));
}

function configError(file: string, err: unknown, copy: string): BatonError {
  const shown = relative(process.cwd(), file) || file;
  const loc = locate([file, copy], err);
  const at = loc ? `${shown}:${loc.line}:${loc.column}` : shown;
  const compileErrors = isObject(err) && Array.isArray(err.errors) ? (err.errors as unknown[]) : [];
  // Through tsx's loader thread an esbuild error arrives as text only: '<copy>:2:18: ERROR: Unexpected ";"'.
  const textual = err instanceof Error ? /^(.*?):(\d+):(\d+): ERROR: (.+)$/m.exec(err.message) : null;
  if (compileErrors.length === 0 && textual && basename(textual[1]!).startsWith(`.${basename(file).replace(/\.[cm]?ts$/, '')}.`)) {
    return new DefinitionError(`${shown}:${textual[2]}:${Number(textual[3]) + 1}: the config does not compile: ${textual[4]}`, { action: 'Fix the syntax there and run the command again.', cause: err });
  }
  if (compileErrors.length > 0) {
    const first = compileErrors[0];
    const text = isObject(first) && typeof first.text === 'string' ? first.text : String((err as { message?: unknown }).message);
    return new DefinitionError(`${at}: the config does not compile: ${text}`, { action: 'Fix the syntax there and run the command again.', cause: err });
  }
  if (isBatonError(err)) {
    // Baton's own errors (an invalid queue, say) already say what to do: keep the message, add where.
    return new DefinitionError(`${at}: ${err.message}`, { cause: err });
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (isObject(err) && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND')) {
    return new DefinitionError(`${at}: the config imports a module that cannot be found: ${message}`, { action: 'Install it (npm install), or fix the import path.', cause: err });
  }
  return new DefinitionError(`${at}: the config threw while loading: ${message}`, { action: 'Fix the code there; the config runs once, at load.', cause: err });
}
