/** Hot reload in the executor (issue 12): reload(fn) loads the module afresh on the next invocation, never during one; the module graph dev watches. */
import { existsSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { tempTree } from '../helpers/temp-tree.ts';
import { localSpecifiers, moduleGraph } from '../../src/runtime/executor/module-graph.ts';

const { dir, write } = tempTree('baton-reload-');

/** Resolves once `file` exists (an fs.watch event on its folder, no sleep); fails after `ms`. */
function fileAppears(file: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = watch(dirname(file), () => existsSync(file) && done());
    const timer = setTimeout(() => (w.close(), reject(new Error(`timed out waiting for ${file}`))), ms);
    const done = () => (clearTimeout(timer), w.close(), resolve());
    if (existsSync(file)) done();
  });
}

describe('executor reload', () => {
  it('the next invocation loads the changed module; warm workers are reused until reload', async () => {
    write('v/lib.ts', "export const version = 'v1';\n");
    write('v/handler.ts', "import { version } from './lib.ts';\nexport const handler = async () => version;\n");
    const executor = createFunctionExecutor({ root: dir });
    try {
      const f = fn('v', './v/handler.ts', { timeout: 5000 }).config;
      expect((await executor.invoke(f, {})).result).toBe('v1');
      write('v/lib.ts', "export const version = 'v2';\n");
      // A warm worker keeps the module it loaded, as a Lambda container does.
      expect((await executor.invoke(f, {})).result).toBe('v1');
      executor.reload('v');
      expect(executor.stats()).toEqual([]);
      const after = await executor.invoke(f, {});
      expect(after.result).toBe('v2');
      expect(after.initDurationMs).toBeDefined();
      executor.reload('never-invoked');
    } finally {
      await executor.close();
    }
  });

  it('never restarts a worker during an invocation: the running one finishes on the old module, the next gets the new', async () => {
    const gate = join(dir, 'gate');
    write('slow/handler.ts', `import { existsSync, writeFileSync } from 'node:fs';\nexport const handler = async () => {\n  writeFileSync(${JSON.stringify(`${gate}.running`)}, '');\n  while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 5));\n  return 'old';\n};\n`);
    const executor = createFunctionExecutor({ root: dir });
    try {
      const f = fn('slow', './slow/handler.ts', { timeout: 20_000 }).config;
      const running = executor.invoke(f, {});
      await fileAppears(`${gate}.running`);
      write('slow/handler.ts', "export const handler = async () => 'new';\n");
      executor.reload('slow');
      writeFileSync(gate, '');
      const first = await running;
      expect(first.status).toBe('ok');
      expect(first.result).toBe('old');
      expect((await executor.invoke(f, {})).result).toBe('new');
    } finally {
      await executor.close();
    }
  });
});

describe('load errors', () => {
  it('a TypeScript handler that does not compile is a syntax error (Runtime.UserCodeSyntaxError) naming the place', async () => {
    write('bad/handler.ts', 'export const handler = async () => {\n  return 1 +;\n};\n');
    const executor = createFunctionExecutor({ root: dir });
    try {
      const error = await executor.checkLoad(fn('bad', './bad/handler.ts').config);
      expect(error?.errorType).toBe('Runtime.UserCodeSyntaxError');
      expect(error?.errorMessage).toMatch(/^fn "bad": module "\.\/bad\/handler\.ts" has a syntax error: .*handler\.ts:2:\d+: ERROR: /);
    } finally {
      await executor.close();
    }
  });
});

describe('module graph', () => {
  it('follows relative imports, exports, dynamic imports and requires, .js written for .ts, folders, not packages', () => {
    const entry = write('g/entry.ts', ["import { a } from './a.js';", "export * from './sub';", "const c = await import('../g/c.ts');", "import 'node:fs';", "import { z } from 'zod';", "export const handler = () => [a, c];"].join('\n'));
    const a = write('g/a.ts', "import data from './data.json' with { type: 'json' };\nexport const a = data;\n");
    const json = write('g/data.json', '{}');
    const index = write('g/sub/index.ts', "const x = require('./x.cjs');\nexport const s = x;\n");
    const x = write('g/sub/x.cjs', "module.exports = require('./x.cjs');\n");
    const c = write('g/c.ts', "import { a } from './a.ts';\nexport const c = a;\n");
    expect(new Set(moduleGraph(entry))).toEqual(new Set([entry, a, json, index, x, c]));
    expect(moduleGraph(entry)[0]).toBe(entry);
    expect(localSpecifiers("import x from 'pkg';\nimport y from \"./y\";\nexport { z } from '../z.js';")).toEqual(['./y', '../z.js']);
  });

  it('a file that is missing is still part of the graph (watched, so its return is seen)', () => {
    expect(moduleGraph(join(dir, 'g/none.ts'))).toEqual([join(dir, 'g/none.ts')]);
  });
});
