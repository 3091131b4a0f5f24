/**
 * The packed tarball, tested as a user installs it (STYLE.md 18): `npm pack`, a fresh project made
 * by `npm init -y` (CommonJS by default), an offline install from npm's cache (offline-lock.ts
 * says why through a lockfile), `baton init`, `tsc --noEmit`, `baton provision` and `queues`, then
 * `baton dev` in the background while `baton objects put` uploads an order file, until the table
 * the pipeline ends in holds the totals; then SIGINT. Slow by nature (pack builds dist/).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineLock } from './offline-lock.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'baton-pack-'));
const project = join(work, 'shop');
const run = promisify(execFile);
// The project runs on plain Node: none of this repo's source condition or loaders.
const { NODE_OPTIONS: _o, BATON_BACKEND: _b, BATON_DIR: _d, ...env } = process.env;

async function sh(cmd: string, args: string[], cwd = project): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}
const npx = (...args: string[]) => sh('npx', ['--no-install', ...args]);

let dev: ChildProcess | undefined;
afterAll(() => {
  dev?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh npm init project', { timeout: 300_000 }, () => {
  let tarball = '';
  beforeAll(async () => {
    const packed = await sh('npm', ['pack', '--json', '--pack-destination', work], repo);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, info!.filename);
    const paths = info!.files.map((f) => f.path);
    expect(paths.some((p) => /^(src|test|bench|examples)\//.test(p))).toBe(false);
    expect(paths).toContain('dist/runtime/executor/worker-entry.mjs');
    expect(paths).toContain('dist/index.d.ts');

    const { mkdirSync } = await import('node:fs');
    mkdirSync(project);
    expect((await sh('npm', ['init', '-y'])).code).toBe(0);
    const initial = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    const { pkg, lock } = offlineLock({ repoLock: join(repo, 'package-lock.json'), tarball, tarballSpec: `file:../${info!.filename}`, project: 'shop', dev: ['typescript', '@types/node', 'tsx'] });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...initial, ...pkg }, null, 2));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const installed = await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund']);
    expect(installed.code, installed.stderr).toBe(0);
  }, 300_000);

  it('baton init writes a project that type-checks with no special flags and provisions', async () => {
    const made = await npx('baton', 'init');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/wrote {2}baton\.config\.ts/);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { type?: string; scripts: Record<string, string> };
    expect(pkg.type).toBe('module');
    expect(pkg.scripts.dev).toBe('baton dev');

    const tsc = await npx('tsc', '--noEmit');
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);

    const provision = await npx('baton', 'provision');
    expect(provision.code, provision.stderr).toBe(0);
    expect(provision.stdout).toMatch(/^ {2}queues .*\borders-in\b/m);
    expect(provision.stdout).toMatch(/^ {2}tables .*\btotals\b/m);
    const queues = await npx('baton', '--json', 'queues');
    expect((JSON.parse(queues.stdout) as Array<{ queue: string }>).map((q) => q.queue)).toEqual(expect.arrayContaining(['orders-in', 'orders-in-dlq']));
  });

  it('a config loads in a CommonJS project, and one that throws names its file and line, not a stack', async () => {
    const cjs = join(work, 'cjs');
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(cjs);
    writeFileSync(join(cjs, 'package.json'), '{ "name": "cjs", "type": "commonjs" }');
    symlinkSync(join(project, 'node_modules'), join(cjs, 'node_modules'));
    writeFileSync(join(cjs, 'baton.config.ts'), readFileSync(join(project, 'baton.config.ts')));
    const q = await sh(join(project, 'node_modules', '.bin', 'baton'), ['--json', 'queues'], cjs);
    expect(q.stderr).toBe('');
    expect((JSON.parse(q.stdout) as Array<{ queue: string }>).map((x) => x.queue)).toContain('orders-in');

    const bad = join(project, 'bad.config.ts');
    writeFileSync(bad, `import { app, queue } from 'baton';\n\nexport default app('bad', [queue('q', { visibilityTimeout: 'soon' })]);\n`);
    const r = await npx('baton', '--config', 'bad.config.ts', 'queues');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: bad\.config\.ts:3:\d+: .*visibilityTimeout/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('baton dev runs the pipeline from the built package: an order file becomes totals', async () => {
    // The installed bin itself, not npx: SIGINT must reach baton dev.
    dev = spawn(join(project, 'node_modules', '.bin', 'baton'), ['dev'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dev.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const until = async (what: () => Promise<boolean> | boolean, ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        if (await what()) return true;
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    };
    expect(await until(() => /running/.test(out), 60_000), out).toBe(true);
    const put = await npx('baton', 'objects', 'put', 'uploads', 'incoming/orders.json', 'orders.sample.json');
    expect(put.code, put.stderr).toBe(0);
    let item: { total?: number } | undefined;
    const arrived = await until(async () => {
      const got = await npx('baton', '--json', 'tables', 'get', 'totals', '{"customer":"ada"}');
      item = got.code === 0 && got.stdout.trim() ? (JSON.parse(got.stdout) as { total?: number }) : undefined;
      return item?.total === 30;
    }, 60_000);
    expect(arrived, out).toBe(true);
    const exited = new Promise<number | null>((resolve) => dev!.once('exit', (code) => resolve(code)));
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopping/);
    expect(existsSync(join(project, '.baton'))).toBe(true);
  });
});
