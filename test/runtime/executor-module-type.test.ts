/**
 * A `.js` handler is CommonJS or an ES module by Lambda's rule (Node's): the nearest package.json's
 * "type" decides, `.cjs`/`.mjs` override it. The repo's own package.json says "module", so the
 * fixtures carry package.json files of their own to show both directions.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

const root = mkdtempSync(join(tmpdir(), 'baton-module-type-'));
function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}
write('cjs/package.json', '{ "type": "commonjs" }');
write('cjs/handler.js', "const os = require('node:os');\nexports.handler = async (e) => ({ kind: typeof module, v: e.v, eol: os.EOL.length });\n");
write('esm/package.json', '{ "type": "module" }');
write('esm/handler.js', 'export const handler = async (e) => ({ kind: typeof module, v: e.v });\n');
write('esm/wrong.js', "exports.handler = async () => 'never';\n");

const executor = createFunctionExecutor({ root });
afterAll(async () => {
  await executor.close();
  rmSync(root, { recursive: true, force: true });
});
const def = (name: string, module: string) => fn(name, module, { timeout: 5000 }).config;

describe('a .js handler follows the nearest package.json "type", as on Lambda', () => {
  it('runs as CommonJS under "type": "commonjs" (require and exports work)', async () => {
    const inv = await executor.invoke(def('cjs', './cjs/handler.js'), { v: 1 });
    expect(inv).toMatchObject({ status: 'ok', result: { kind: 'object', v: 1, eol: 1 } });
  });

  it('runs as an ES module under "type": "module" (no module object)', async () => {
    const inv = await executor.invoke(def('esm', './esm/handler.js'), { v: 2 });
    expect(inv).toMatchObject({ status: 'ok', result: { kind: 'undefined', v: 2 } });
  });

  it('CommonJS syntax in an ES module package fails to load with the module named', async () => {
    const inv = await executor.invoke(def('wrong', './esm/wrong.js'), {});
    expect(inv.status).toBe('error');
    expect(inv.error?.errorType).toMatch(/^Runtime\./);
    expect(inv.error?.errorMessage).toContain('esm/wrong.js');
  });
});
