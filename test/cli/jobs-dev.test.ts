/** `baton jobs start/resume` with an existing or dead job, and `baton dev` beside another engine on the same state (issue 11). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocal, systemClock } from '../../src/backends/local/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-jobs-'));
const project = join(dir, 'project');
const state = join(dir, 'state');
const config = join(project, 'baton.config.ts');
const env = { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') };
const run = promisify(execFile);
const children: ChildProcess[] = [];

mkdirSync(join(project, 'node_modules'), { recursive: true });
writeFileSync(join(project, 'package.json'), '{ "type": "module" }');
symlinkSync(root, join(project, 'node_modules', 'baton'));
writeFileSync(config, `import { app, fn } from 'baton';\nexport default app('jobs-cli', [fn('count', './count.ts', { timeout: '5s' })]);\n`);
writeFileSync(join(project, 'count.ts'), `import { job } from 'baton/handler';\nexport const handler = job<{ n: number }, number>(async (last, ctx) => {\n  for (let i = last ?? 0; i < ctx.input.n; i++) await ctx.checkpoint(i + 1, { done: i + 1, total: ctx.input.n });\n  return { counted: ctx.input.n };\n});\n`);

async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, '--config', config, '--dir', state, ...args], { cwd: project, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts `baton dev`; resolves with the process and what it printed once it says it is running. */
function dev(): Promise<{ child: ChildProcess; out: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--config', config, '--dir', state, 'dev'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes('running (')) resolve({ child, out: () => out });
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`baton dev exited (${code}): ${out}`)));
  });
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('baton jobs and baton dev on one state', { timeout: 180_000 }, () => {
  it('jobs start with an existing id says so and how to resume; jobs resume finishes a job whose relay died', async () => {
    expect((await baton('jobs', 'start', 'count', '--id', 'J', '--input-json', '{"n":5}')).stdout).toMatch(/job J: succeeded after 1 relays/);
    const again = await baton('jobs', 'start', 'count', '--id', 'J');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/job "J" already exists \(fn "count", succeeded, 1 relays\)\. It has finished; start a new job with another id/);
    expect(again.stderr).not.toMatch(/SqliteError/);
    // A job whose relay died: running at relay 1 with a checkpoint.
    const b = openLocal({ dir: state, clock: systemClock, paramsKey: Buffer.alloc(32, 3) });
    await b.jobs.create({ id: 'D', fn: 'count', input: { n: 10 }, executor: 'function', budget: { maxRelays: 10, maxFailures: 2 } });
    await b.jobs.checkpoint('D', (await b.jobs.claim('D'))!.relay, '6', { done: 6, total: 10 });
    await b.close();
    const dup = await baton('jobs', 'start', 'count', '--id', 'D');
    expect(dup.stderr).toMatch(/job "D" already exists \(fn "count", running, 1 relays\)\. Resume it with `baton jobs resume D`/);
    expect((await baton('jobs', 'resume', 'D')).stdout).toMatch(/job D: succeeded after 2 relays/);
    expect((await baton('jobs', 'resume', 'D')).stdout).toMatch(/job D has already succeeded; nothing to resume/);
  });

  it('baton dev says when another engine already runs on the same state', async () => {
    const first = await dev();
    expect(first.out()).not.toMatch(/another engine/);
    const second = await dev();
    expect(second.out()).toMatch(/baton dev: note: another engine is already running on this state \(pid \d+ on [^,]+, heartbeat \d+ s ago\)/);
  });
});
