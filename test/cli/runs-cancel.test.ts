/**
 * `baton runs cancel <id...>` (issue 14): stores a cancel request on each running run (the process
 * running it acts on it: test/runtime/run-cancel.test.ts), prints what happened to each, refuses an
 * ended or unknown run with the reason and exit code 1; `baton runs <id>` shows the request.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocal } from '../../src/backends/local/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-cancel-'));
const run = promisify(execFile);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baton runs cancel', { timeout: 120_000 }, () => {
  const p = join(dir, 'project');
  mkdirSync(join(p, 'node_modules'), { recursive: true });
  writeFileSync(join(p, 'package.json'), '{ "type": "module" }');
  symlinkSync(root, join(p, 'node_modules', 'baton'));
  writeFileSync(join(p, 'baton.config.ts'), `import { app, fn } from 'baton';\nexport default app('cancel', [fn('work', './echo.ts')]);\n`);
  writeFileSync(join(p, 'echo.ts'), 'export const handler = async (event: unknown) => ({ got: event });\n');
  const key = Buffer.alloc(32, 3);
  const env = { ...process.env, BATON_PARAMS_KEY: key.toString('base64') };
  const state = join(p, '.state');

  async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, '--dir', state, ...args], { cwd: p, env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('asks for each id, says what happened to each, and exits 1 when one was refused', async () => {
    // Runs as another process (baton dev) would have recorded them: one still running, one ended.
    const backend = openLocal({ dir: state, paramsKey: key });
    const live = await backend.runs.start({ fn: 'work', trigger: 'queue:jobs' });
    const done = await backend.runs.start({ fn: 'work', trigger: 'invoke' });
    await backend.runs.finish(done.id, { status: 'ok', durationMs: 3 });
    await backend.close();

    const out = await baton('runs', 'cancel', live.id, done.id, 'nope');
    expect(out.code).toBe(1);
    expect(out.stdout.trim().split('\n')).toEqual([
      `run ${live.id}: cancel requested (work, queue:jobs); the process running it stops it within about a second`,
      `run ${done.id}: not cancelled: Run "${done.id}" already ended ok; only a running run can be cancelled. Cancel a run whose status is running (baton runs --status running).`,
      'run nope: not cancelled: Run "nope" does not exist (or was pruned by retention). List runs with `baton runs` to find a run id.',
    ]);
    const json = await baton('--json', 'runs', 'cancel', live.id);
    expect(json.code).toBe(0);
    const [first] = JSON.parse(json.stdout) as Array<{ id: string; ok: boolean; status: string; cancelRequest: { at: number; by: string } }>;
    expect(first).toEqual({ id: live.id, ok: true, status: 'running', cancelRequest: { at: expect.any(Number), by: 'cli' } });
    expect((await baton('runs', live.id)).stdout).toMatch(new RegExp(`^cancel: +requested by cli at ${new Date(first!.cancelRequest.at).toISOString()}$`, 'm'));
    expect((await baton('runs', '--status', 'nope')).stderr).toMatch(/cancelled/);
  });
});
