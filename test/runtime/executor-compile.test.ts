/**
 * TypeScript handlers compiled once, cached by content (compile-cache.mjs), so function workers
 * import plain JavaScript with no TypeScript loader (issue 15: a tsx loader thread per worker).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { tempTree } from '../helpers/temp-tree.ts';

/** compile-cache.mjs is plain JavaScript (a worker runs it before anything could load TypeScript) and has no .d.ts: the build emits it as written. */
interface CompileCache {
  compileWorker(moduleUrl: string | undefined, runtimeFiles: string[], options?: { cacheRoot?: string; conditions?: string[] }): Promise<{ runtimeUrl: string; handlerUrl?: string }>;
  customConditions(execArgv?: string[], nodeOptions?: string): string[];
  isTypeScriptModule(moduleUrl: string): boolean;
}
const compileCachePath: string = '../../src/runtime/executor/compile-cache.mjs';
const { compileWorker, customConditions, isTypeScriptModule } = (await import(compileCachePath)) as CompileCache;

const { dir, write } = tempTree('baton-compile-');
const cache = join(dir, '.cache');

const runtime = write('rt/runtime.ts', "export const main = (): string => 'runtime';\n");
const compile = (entry: string) => compileWorker(pathToFileURL(entry).href, [runtime], { cacheRoot: cache, conditions: [] });

describe('compileWorker', () => {
  it('builds once and serves the same build while nothing it read changed; an edited import builds again', async () => {
    write('a/lib.ts', "export const version: string = 'v1';\n");
    const entry = write('a/handler.ts', "import { version } from './lib.ts';\nexport const handler = async () => version;\n");
    const first = await compile(entry);
    const manifest = join(fileURLToPath(first.runtimeUrl), '../../manifest.json');
    const builtAt = statSync(manifest).mtimeMs;
    const again = await compile(entry);
    expect(again).toEqual(first);
    expect(statSync(manifest).mtimeMs).toBe(builtAt);
    expect(await (await import(first.handlerUrl!)).handler()).toBe('v1');
    expect((await import(first.runtimeUrl)).main()).toBe('runtime');

    write('a/lib.ts', "export const version: string = 'v2';\n");
    const edited = await compile(entry);
    expect(edited.handlerUrl).not.toBe(first.handlerUrl);
    expect(await (await import(edited.handlerUrl!)).handler()).toBe('v2');
  });

  it('keeps import.meta naming the source file and packages outside the bundle, imported from the file Node picks', async () => {
    write('m/data.txt', 'next to the source');
    write('node_modules/tiny/package.json', JSON.stringify({ name: 'tiny', exports: { import: './esm.mjs', require: './cjs.cjs' } }));
    write('node_modules/tiny/esm.mjs', "export const kind = 'esm';\n");
    write('node_modules/tiny/cjs.cjs', "exports.kind = 'cjs';\n");
    const entry = write(
      'm/handler.ts',
      [
        "import { readFileSync } from 'node:fs';",
        "import { kind } from 'tiny';",
        'export const handler = async () => ({',
        '  url: import.meta.url,',
        "  data: readFileSync(new URL('./data.txt', import.meta.url), 'utf8'),",
        '  kind,',
        '});',
      ].join('\n'),
    );
    const out = await compile(entry);
    expect(await (await import(out.handlerUrl!)).handler()).toEqual({ url: pathToFileURL(entry).href, data: 'next to the source', kind: 'esm' });
    const emitted = readdirSync(join(fileURLToPath(out.handlerUrl!), '..'))
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(join(fileURLToPath(out.handlerUrl!), '..', f), 'utf8'))
      .join('\n');
    expect(emitted).toContain(`from "${pathToFileURL(join(dir, 'node_modules/tiny/esm.mjs')).href}"`);
    expect(emitted).not.toContain("kind = 'esm'");
  });

  it('a handler that does not compile throws what tsx threw: a TransformError naming file:line:col', async () => {
    const entry = write('bad/handler.ts', 'export const handler = async () => {\n  return 1 +;\n};\n');
    const err = (await compile(entry).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('TransformError');
    expect(err.message).toContain(`${entry}:2:12: ERROR: Unexpected ";"`);
  });

  it('an import that does not resolve is ERR_MODULE_NOT_FOUND naming the missing file and its importer, as Node says', async () => {
    const entry = write('imp/handler.ts', "import { x } from './nope.ts';\nexport const handler = async () => x;\n");
    const err = (await compile(entry).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(err.message).toBe(`Cannot find module '${join(dir, 'imp/nope.ts')}' imported from ${entry}`);
  });

  it('compiles TypeScript only, and reads --conditions from flags and NODE_OPTIONS', () => {
    expect(['a.ts', 'a.mts', 'a.cts', 'a.tsx'].every((f) => isTypeScriptModule(pathToFileURL(join(dir, f)).href))).toBe(true);
    expect(['a.js', 'a.mjs', 'a.cjs'].some((f) => isTypeScriptModule(pathToFileURL(join(dir, f)).href))).toBe(false);
    expect(customConditions(['--conditions=a', '-C', 'b'], '--max-old-space-size=100 --conditions c -Cd')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('the function executor with compiled handlers', () => {
  it('runs a TypeScript handler with no TypeScript loader in its worker, stacks naming the .ts line, and reloads an edit', async () => {
    write('w/lib.ts', "export const version: string = 'one';\n");
    write(
      'w/handler.ts',
      [
        "import { createRequire } from 'node:module';",
        "import { version } from './lib.ts';",
        'export const handler = async (e: { fail?: boolean }) => {',
        "  if (e.fail) throw new Error('failed on purpose');",
        "  return { version, tsLoader: '.ts' in createRequire(import.meta.url).extensions };",
        '};',
      ].join('\n'),
    );
    const executor = createFunctionExecutor({ root: dir, baseEnv: { ...process.env, BATON_COMPILE_CACHE: cache } });
    try {
      const f = fn('w', './w/handler.ts', { timeout: 10_000 }).config;
      expect(await executor.invoke(f, {})).toMatchObject({ status: 'ok', result: { version: 'one', tsLoader: false } });
      const failed = await executor.invoke(f, { fail: true });
      expect(failed.error?.stack).toContain(`${join(dir, 'w/handler.ts')}:4:`);
      write('w/lib.ts', "export const version: string = 'two';\n");
      executor.reload('w');
      expect(await executor.invoke(f, {})).toMatchObject({ status: 'ok', result: { version: 'two' } });
    } finally {
      await executor.close();
    }
  });
});
