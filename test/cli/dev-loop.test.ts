/** `baton dev`'s loop (issue 12): the start check of every handler. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocal, systemClock } from '../../src/backends/local/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-dev-'));
const env = { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') };
const run = promisify(execFile);

/** A user's project (ESM, baton installed) with these files beside its baton.config.ts. */
function project(name: string, files: Record<string, string>): { config: string; cwd: string; state: string } {
  const cwd = join(dir, name);
  mkdirSync(join(cwd, 'node_modules'), { recursive: true });
  writeFileSync(join(cwd, 'package.json'), '{ "type": "module" }');
  symlinkSync(root, join(cwd, 'node_modules', 'baton'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(cwd, file, '..'), { recursive: true });
    writeFileSync(join(cwd, file), text);
  }
  return { config: join(cwd, 'baton.config.ts'), cwd, state: join(cwd, '.state') };
}

async function baton(p: { config: string; cwd: string; state: string }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, '--config', p.config, '--dir', p.state, ...args], { cwd: p.cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton dev', { timeout: 180_000 }, () => {
  it('refuses to start, before provisioning, with one line per function whose handler cannot load', async () => {
    const p = project('broken', {
      'baton.config.ts': `import { app, fn, queue } from 'baton';
export default app('broken', [
  queue('jobs'),
  fn('good', './handlers/good.ts', { triggers: [{ queue: 'jobs' }] }),
  fn('gone', './handlers/gone.ts'),
  fn('renamed', './handlers/renamed.ts'),
  fn('notfn', './handlers/notfn.ts'),
  fn('legacy', './handlers/legacy.js', { handler: 'main' }),
]);
`,
      'handlers/good.ts': 'export const handler = async () => "ok";\n',
      'handlers/renamed.ts': 'export const main = async () => "ok";\n',
      'handlers/notfn.ts': 'export const handler = { run: 1 };\n',
      // A .js handler in a "type": "module" package is ESM, as Lambda reads it; with a handler option.
      'handlers/legacy.js': 'export function main() { return 1; }\n',
    });
    const r = await baton(p, 'dev');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('running (');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toHaveLength(3);
    expect(r.stderr).toMatch(/3 function\(s\) cannot load their handler/);
    expect(lines.find((l) => l.includes('fn "gone"'))).toMatch(/Runtime\.ImportModuleError: .*module "\.\/handlers\/gone\.ts" was not found/);
    expect(lines.find((l) => l.includes('fn "renamed"'))).toMatch(/Runtime\.HandlerNotFound: .*"\.\/handlers\/renamed\.ts" has no export "handler" \(it exports: main\)/);
    expect(lines.find((l) => l.includes('fn "notfn"'))).toMatch(/Runtime\.HandlerNotFound: .*export "handler" is a object, not a function/);
    expect(r.stderr).not.toMatch(/fn "(good|legacy)"/);
    // Nothing was provisioned: the app's queue does not exist in the state.
    const b = openLocal({ dir: p.state, clock: systemClock, paramsKey: Buffer.alloc(32, 3) });
    try {
      expect((await b.queues.list()).map((q) => q.name)).not.toContain('jobs');
    } finally {
      await b.close();
    }
  });
});
