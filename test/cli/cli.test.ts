import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const config = join(root, 'examples', 'quickstart', 'baton.config.ts');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
const run = promisify(execFile);

async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each command is a fresh process that compiles TypeScript on start: slow on a loaded 2-core machine.
describe('the baton CLI', { timeout: 180_000 }, () => {
  it('lists its commands', async () => {
    const r = await baton('--help');
    expect(r.code).toBe(0);
    for (const c of ['demo', 'queues', 'redrive', 'params', 'objects', 'tables', 'schedules']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('works on an app: send, queues, params, objects, schedules', async () => {
    const common = ['--config', config, '--dir', dir];
    expect((await baton(...common, 'send', 'ingest', 'hello')).stdout).toMatch(/^sent [0-9a-f-]{36}/);
    const queues = JSON.parse((await baton(...common, '--json', 'queues')).stdout) as Array<{ queue: string; visible: number }>;
    expect(queues.find((q) => q.queue === 'ingest')?.visible).toBe(1);
    expect(queues.map((q) => q.queue)).toContain('ingest-dlq');

    expect((await baton(...common, 'params', 'put', '/quickstart/token', 's3cr3t', '--type', 'SecureString')).stdout).toMatch(/version 1/);
    expect((await baton(...common, 'params', 'ls', '/quickstart')).stdout).not.toContain('s3cr3t');
    expect((await baton(...common, 'params', 'get', '/quickstart/token', '--decrypt')).stdout.trim()).toBe('s3cr3t');

    const file = join(dir, 'upload.txt');
    writeFileSync(file, 'hello object');
    expect((await baton(...common, 'objects', 'put', 'uploads', 'notes/a b.txt', file)).code).toBe(0);
    expect((await baton(...common, 'objects', 'get', 'uploads', 'notes/a b.txt')).stdout).toBe('hello object');
    expect((await baton(...common, 'objects', 'ls', 'uploads', 'notes/')).stdout).toContain('notes/a b.txt');

    const schedules = JSON.parse((await baton(...common, '--json', 'schedules')).stdout) as Array<{ schedule: string; next: string }>;
    expect(schedules[0]?.schedule).toBe('morning-pull');
    expect(schedules[0]?.next.split(',')).toHaveLength(3);
  });

  it('fails with a clear message and exit code 1', async () => {
    // A user's project: an ESM package with baton installed.
    const project = join(dir, 'project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }');
    symlinkSync(root, join(project, 'node_modules', 'baton'));
    const bad = join(project, 'baton.config.ts');
    writeFileSync(bad, `import { app, queue } from 'baton';\nexport default app('bad', [queue('q', { visibilityTimeout: 'soon' })]);\n`);
    const r = await baton('--config', bad, '--dir', dir, 'queues');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/queue "q" is invalid: field "visibilityTimeout" = "soon"/);
    const missing = await baton('--config', config, '--dir', dir, 'send', 'nope', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope/);
  });

  it('runs the quickstart demo and reports ok', async () => {
    const r = await baton('demo', '--small', 'quickstart');
    expect(r.stdout).toMatch(/^quickstart: ok \d+ orders/m);
    expect(r.code).toBe(0);
  });
});
