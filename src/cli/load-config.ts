import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppSpec } from '../core/app.ts';
import { DefinitionError } from '../core/errors.ts';

export const configFileName = 'baton.config.ts';

/** Loads the app declared as the default export of baton.config.ts (tsx compiles it on the fly). */
export async function loadConfig(path = configFileName): Promise<AppSpec> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new DefinitionError(`No ${path} found in ${process.cwd()}.`, { action: `Create one that does "export default app('name', [...])", or pass --config <file>.` });
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const spec = mod.default;
  if (!spec || typeof spec !== 'object' || (spec as { kind?: unknown }).kind !== 'app') {
    throw new DefinitionError(`${path} must have a default export made by app(...).`, { action: `End the file with "export default app('name', [ ...resources ])".` });
  }
  return { ...(spec as AppSpec), root: dirname(file) };
}
