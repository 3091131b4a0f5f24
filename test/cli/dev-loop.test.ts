/** `baton dev`'s loop (issue 12): the start check of every handler, handler logs and failures streamed; listings without Baton's own resources. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocal, systemClock } from '../../src/backends/local/index.ts';
import { DevStream } from '../../src/cli/dev-stream.ts';
import { queue } from '../../src/core/resources/queue.ts';

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

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `baton dev`'s output (stdout and stderr) matches `until`. */
function waitFor(child: ChildProcess, until: RegExp, out: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (until.test(out.text)) resolve();
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => reject(new Error(`baton dev exited (${code}): ${out.text}`)));
    check();
  });
}

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

describe('baton dev streaming', { timeout: 180_000 }, () => {
  it("prints a handler's log lines and its failure with the function and run id", async () => {
    const p = project('stream', {
      'baton.config.ts': `import { app, fn, queue } from 'baton';
export default app('stream', [queue('jobs'), fn('boom', './boom.ts', { triggers: [{ queue: 'jobs' }] })]);
`,
      'boom.ts': `export const handler = async (event: { Records: Array<{ body: string }> }) => {
  console.log('got ' + event.Records[0]!.body);
  throw new TypeError('bad record ' + event.Records[0]!.body);
};
`,
    });
    const child = spawn(process.execPath, [bin, '--config', p.config, '--dir', p.state, 'dev'], { cwd: p.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const out = { text: '' };
    child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out.text += d.toString()));
    await waitFor(child, /running \(/, out);
    expect((await baton(p, 'send', 'jobs', 'hello')).code).toBe(0);
    await waitFor(child, /FAILED/, out);
    expect(out.text).toMatch(/^\d\d:\d\d:\d\d boom [0-9a-f]{8} INFO  got hello$/m);
    expect(out.text).toMatch(/^\d\d:\d\d:\d\d boom [0-9a-f]{8} FAILED TypeError: bad record hello \(attempt 1, queue:jobs\)$/m);
    const ids = [...out.text.matchAll(/^\S+ boom ([0-9a-f]{8}) (?:INFO|FAILED) .*hello/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(ids[1]).toBe(ids[0]);
    child.kill('SIGKILL');
  });
});

describe('DevStream (what baton dev prints of handlers)', () => {
  const run = { fn: 'ingest', runId: '1a2b3c4d-0000-4000-8000-000000000000', requestId: 'req-1', trigger: 'queue:jobs', attempt: 2 };

  it('prints each log line with the function and the short run id, and a line per failed run with its error', () => {
    const out: string[] = [];
    const s = new DevStream({ write: (l) => out.push(l), now: () => Date.UTC(2026, 0, 1, 12, 0, 0) });
    s.started(run);
    s.log('ingest', 'req-1', { time: Date.UTC(2026, 0, 1, 12, 0, 0), level: 'info', message: 'got 3 records\nsecond line' });
    s.finished({ ...run, status: 'error', durationMs: 5, error: { type: 'TypeError', message: 'bad record' } });
    s.finished({ ...run, status: 'ok', durationMs: 5 });
    expect(out).toEqual(['12:00:00 ingest 1a2b3c4d INFO  got 3 records ⏎ second line', '12:00:00 ingest 1a2b3c4d FAILED TypeError: bad record (attempt 2, queue:jobs)']);
  });

  it('cuts long lines and prints at most N lines a second per function, then how many more', () => {
    const out: string[] = [];
    let now = 0;
    const s = new DevStream({ write: (l) => out.push(l), now: () => now, maxLinesPerSecond: 3, maxLineChars: 60 });
    s.started(run);
    for (let i = 0; i < 10; i++) s.log('ingest', 'req-1', { time: now, level: 'info', message: `line ${i} ${'x'.repeat(200)}` });
    s.log('other', 'req-2', { time: now, level: 'warn', message: 'other fn has its own budget' });
    expect(out).toHaveLength(4);
    expect(out.every((l) => l.length <= 60)).toBe(true);
    expect(out[0]).toMatch(/line 0 x+…$/);
    now = 1000;
    s.flush();
    expect(out[4]).toMatch(/ingest … 7 more lines/);
    s.flush();
    expect(out).toHaveLength(5);
  });
});

describe("listings leave Baton's own resources out unless --all", { timeout: 180_000 }, () => {
  it('baton queues and baton params ls', async () => {
    const p = project('internal', {
      'baton.config.ts': `import { app, queue } from 'baton';\nexport default app('internal', [queue('jobs')]);\n`,
    });
    const b = openLocal({ dir: p.state, clock: systemClock, paramsKey: Buffer.alloc(32, 3) });
    try {
      await b.queues.declare(queue('baton-async-dlq').config);
      await b.queues.declare(queue('baton-async', { deadLetter: {} }).config);
      await b.params.put('/baton/schedules/tick', { value: '{}', type: 'String' });
      await b.params.put('/internal/token', { value: 'x', type: 'String' });
    } finally {
      await b.close();
    }
    const names = async (...args: string[]) => (JSON.parse((await baton(p, '--json', ...args)).stdout) as Array<{ queue?: string; name?: string }>).map((r) => r.queue ?? r.name);
    expect(await names('queues')).toEqual(['jobs']);
    expect((await names('queues', '--all')).sort()).toEqual(['baton-async', 'baton-async-dlq', 'jobs']);
    expect(await names('params', 'ls')).toEqual(['/internal/token']);
    expect((await names('params', 'ls', '--all')).sort()).toEqual(['/baton/schedules/tick', '/internal/token']);
    expect(await names('params', 'ls', '/baton')).toEqual(['/baton/schedules/tick']);
  });
});

describe('output to a closed pipe, and errors with --json', { timeout: 180_000 }, () => {
  it('baton queues exits quietly when stdout closes (baton queues | head -1)', async () => {
    const p = project('pipe', { 'baton.config.ts': `import { app, queue } from 'baton';\nexport default app('pipe', [queue('a'), queue('b')]);\n` });
    const child = spawn(process.execPath, [bin, '--config', p.config, '--dir', p.state, 'queues'], { cwd: p.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    // The reader goes away before the CLI prints anything: its first write fails with EPIPE.
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('prints an error as JSON on stderr with exit code 1', async () => {
    const p = project('json-error', { 'baton.config.ts': `import { app, queue } from 'baton';\nexport default app('json-error', [queue('a')]);\n` });
    const r = await baton(p, '--json', 'send', 'nope', 'x');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const out = JSON.parse(r.stderr) as { error: { name: string; code: string; message: string; action?: string } };
    expect(out.error.name).toBe('NotFoundError');
    expect(out.error.code).toBe('NOT_FOUND');
    expect(out.error.message).toMatch(/nope/);
    expect(out.error.message).not.toContain(out.error.action ?? '\0');
    expect(out.error.action).toBeTruthy();
    // A command-line mistake too, with no help text around it.
    const usage = await baton(p, '--json', 'queues', '--bogus');
    expect(usage.code).toBe(1);
    expect(JSON.parse(usage.stderr)).toMatchObject({ error: { name: 'UsageError', code: 'commander.unknownOption', message: "unknown option '--bogus'" } });
  });
});
