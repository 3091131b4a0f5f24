import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'baton-load-config-'));
mkdirSync(join(dir, 'node_modules'));
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
symlinkSync(root, join(dir, 'node_modules', 'baton'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/**
 * Runs `baton queues` on a config of these lines and returns what it printed on stderr. Through the
 * CLI, not loadConfig() in the test process: vitest rewrites stack traces for its own modules, which
 * would hide the config's lines that a user's terminal shows.
 */
async function refusal(lines: string[]): Promise<string> {
  const file = join(dir, `config-${++n}.ts`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    await promisify(execFile)(process.execPath, [join(root, 'bin', 'baton.mjs'), '--config', file, '--dir', join(dir, 'state'), 'queues'], { cwd: dir });
  } catch (err) {
    const e = err as { code: number; stderr: string };
    expect(e.code).toBe(1);
    return e.stderr;
  }
  throw new Error('expected the config to be refused');
}

describe('a bad config is reported by file, line and message, not a stack', { timeout: 60_000 }, () => {
  it("a definition error from Baton keeps Baton's message, with the line that declared it", async () => {
    const err = await refusal([`import { app, queue } from 'baton';`, `export default app('bad', [`, `  queue('q', { visibilityTimout: '30s' } as never),`, `]);`]);
    expect(err).toMatch(/^error: config-\d+\.ts:3:3: queue "q" is invalid: field "visibilityTimout" = "30s": unknown field \(did you mean "visibilityTimeout"\?\)/);
    expect(err).not.toMatch(/threw while loading|    at /);
  });

  it('a syntax error names the line and column and what the compiler said', async () => {
    const err = await refusal([`import { app } from 'baton';`, `const x: number = ;`, `export default app('x', []);`]);
    expect(err).toMatch(/^error: config-\d+\.ts:2:19: the config does not compile: Unexpected ";"/);
  });

  it('a throw names the line of the throw', async () => {
    const err = await refusal([`import { app } from 'baton';`, `function f(): never { throw new TypeError('boom'); }`, `export default app('x', [f()]);`]);
    expect(err).toMatch(/^error: config-\d+\.ts:2:\d+: the config threw while loading: TypeError: boom/);
  });
});

describe('the loaded copy of the config', { timeout: 60_000 }, () => {
  it('a copy left by a killed process is removed on the next load; one of a live process stays', async () => {
    const file = join(dir, 'stale.ts');
    writeFileSync(file, `import { app, queue } from 'baton';\nexport default app('stale', [queue('q')]);\n`);
    // 2^22 + 1 is above Linux's default pid_max (4,194,304), so no process has it.
    const dead = join(dir, `.stale.${2 ** 22 + 1}.1700000000000.mts`);
    const live = join(dir, `.stale.${process.pid}.1700000000000.mts`);
    writeFileSync(dead, 'left by a killed process');
    writeFileSync(live, 'being loaded by a live one');
    await promisify(execFile)(process.execPath, [join(root, 'bin', 'baton.mjs'), '--config', file, '--dir', join(dir, 'state'), 'queues'], { cwd: dir });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
