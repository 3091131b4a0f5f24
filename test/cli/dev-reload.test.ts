/**
 * `baton dev`'s hot reload (issue 12), in process with real file changes: a handler (or a file it
 * imports) saved reloads its functions; a saved config is applied, or refused with the reason.
 * Nothing sleeps: each step waits for the reload's own report, with a timeout.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { HandlerReloader, type HandlerReload } from '../../src/cli/dev-reload.ts';
import { FileWatch } from '../../src/cli/dev-watch.ts';
import { DevRuntime, type ConfigApply } from '../../src/cli/dev-runtime.ts';
import { diffSpecs, describeChange } from '../../src/cli/dev-config.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { openApp } from '../../src/root/open-app.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import type { RunFinished } from '../../src/runtime/invoke/deps.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'baton-dev-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Saves as most editors do: a copy written beside the file, renamed over it. */
function save(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.tmp~`, text);
  renameSync(`${file}.tmp~`, file);
}

/** Reports as they come, each taken by the next `next()` (which fails after `ms`). */
class Reports<T> {
  private readonly items: T[] = [];
  private waiter: ((t: T) => void) | undefined;
  push = (t: T): void => {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(t);
    } else this.items.push(t);
  };
  next(what: string, ms = 20_000): Promise<T> {
    const ready = this.items.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      this.waiter = (t) => (clearTimeout(timer), resolve(t));
    });
  }
}

describe('FileWatch', () => {
  it('reports only files whose content changed: a save of the same text is no change', async () => {
    const p = join(dir, 'watch');
    const [same, other] = [join(p, 'same.ts'), join(p, 'other.ts')];
    save(same, 'a');
    save(other, 'b');
    const reports = new Reports<string[]>();
    const watch = new FileWatch(reports.push, 20);
    try {
      watch.set([same, other]);
      save(same, 'a');
      save(other, 'c');
      expect(await reports.next('the change of other.ts')).toEqual([other]);
      rmSync(same);
      expect(await reports.next('the removal of same.ts')).toEqual([same]);
    } finally {
      watch.close();
    }
  });
});

describe('handler hot reload', { timeout: 60_000 }, () => {
  it('a saved import reloads the functions that load it; a new import is watched; a broken save is reported at once', async () => {
    const p = join(dir, 'handlers');
    save(join(p, 'lib.ts'), "export const version = 'v1';\n");
    save(join(p, 'a.ts'), "import { version } from './lib.ts';\nexport const handler = async () => 'a ' + version;\n");
    save(join(p, 'b.ts'), "export const handler = async () => 'b';\n");
    const executor = createFunctionExecutor({ root: p });
    const reports = new Reports<HandlerReload>();
    const reloader = new HandlerReloader({ root: p, executor, debounceMs: 20, onReload: reports.push });
    const a = fn('a', './a.ts', { timeout: 5000 }).config;
    const b = fn('b', './b.ts', { timeout: 5000 }).config;
    try {
      reloader.setFns([a, b]);
      expect(new Set(reloader.files)).toEqual(new Set([join(p, 'a.ts'), join(p, 'lib.ts'), join(p, 'b.ts')]));
      expect((await executor.invoke(a, {})).result).toBe('a v1');

      save(join(p, 'lib.ts'), "export const version = 'v2';\n");
      expect(await reports.next('the reload after lib.ts changed')).toEqual({ files: ['lib.ts'], fns: ['a'], broken: [] });
      expect((await executor.invoke(a, {})).result).toBe('a v2');

      save(join(p, 'extra.ts'), "export const extra = '+';\n"); // not watched yet: no reload
      save(join(p, 'a.ts'), "import { version } from './lib.ts';\nimport { extra } from './extra.ts';\nexport const handler = async () => 'a ' + version + extra;\n");
      const r = await reports.next('the reload after a.ts changed');
      expect(r.fns).toEqual(['a']);
      expect(reloader.files).toContain(join(p, 'extra.ts'));
      expect((await executor.invoke(a, {})).result).toBe('a v2+');
      save(join(p, 'extra.ts'), "export const extra = '++';\n");
      expect((await reports.next('the reload after extra.ts changed')).files).toEqual(['extra.ts']);
      expect((await executor.invoke(a, {})).result).toBe('a v2++');

      save(join(p, 'b.ts'), 'export const handler = async () => {\n');
      const broken = await reports.next('the reload after b.ts broke');
      expect(broken.fns).toEqual(['b']);
      expect(broken.broken).toHaveLength(1);
      expect(broken.broken[0]).toMatch(/^fn "b": Runtime\.UserCodeSyntaxError: fn "b": module "\.\/b\.ts" has a syntax error: .*b\.ts:2:\d+: ERROR: Unexpected end of file/);
    } finally {
      reloader.close();
      await executor.close();
    }
  });
});

describe('config reload', { timeout: 120_000 }, () => {
  it('applies a saved config (provisions, restarts the triggers), refuses one that strands messages or does not load', async () => {
    const p = join(dir, 'project');
    mkdirSync(join(p, 'node_modules'), { recursive: true });
    writeFileSync(join(p, 'package.json'), '{ "type": "module" }');
    symlinkSync(root, join(p, 'node_modules', 'baton'));
    const config = join(p, 'baton.config.ts');
    const head = "import { app, fn, queue } from 'baton';\n";
    save(config, `${head}export default app('r', [queue('jobs'), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] })]);\n`);
    save(join(p, 'hello.ts'), 'export const handler = async (e: { Records: Array<{ body: string }> }) => e.Records.length;\n');
    const spec = await loadConfig(config);
    const app = await openApp(spec, { local: { dir: join(p, '.state') } });
    const runs = new Reports<RunFinished>();
    const runtime = new DevRuntime({ app, deadlineMs: 5000, port: 0, observer: { finished: runs.push }, onError: (where, err) => runs.push({ fn: `error ${where}: ${String(err)}` } as RunFinished) });
    const results = new Reports<ConfigApply | { error: string }>();
    await runtime.start();
    const watch = runtime.watchConfig(config, 20, results.push);
    try {
      await app.backend.queues.send('jobs', { body: 'one' });
      expect((await runs.next('the first run')).fn).toBe('hello');

      save(config, `${head}export default app('r', [queue('jobs'), queue('more'), fn('hello', './hello.ts', { timeout: '5s', triggers: [{ queue: 'jobs' }] })]);\n`);
      expect(await results.next('the config to be applied')).toEqual({ applied: true, changes: ['+ queue more', '~ fn hello (timeoutMs)'], notes: [], refused: [] });
      expect(runtime.spec.fns[0]!.timeoutMs).toBe(5000);
      expect((await app.backend.queues.list()).map((q) => q.name)).toContain('more');
      await app.backend.queues.send('jobs', { body: 'two' });
      expect((await runs.next('a run on the new version')).fn).toBe('hello');
      expect(runtime.counters.invocations).toBe(2);

      await app.backend.queues.send('more', { body: 'stranded?' });
      save(config, `${head}export default app('r', [queue('jobs'), fn('hello', './hello.ts', { timeout: '5s', triggers: [{ queue: 'jobs' }] })]);\n`);
      const refused = await results.next('the removal to be refused');
      expect(refused).toMatchObject({ applied: false, changes: ['- queue more'] });
      expect((refused as ConfigApply).refused[0]).toMatch(/^queue "more" was removed from the config but holds 1 message\(s\)/);
      expect(runtime.spec.queues.map((q) => q.name)).toContain('more');

      save(config, `${head}export default app('r', [queue('jobs'), queue('more'), fn('hello', './gone.ts', { timeout: '5s', triggers: [{ queue: 'jobs' }] })]);\n`);
      const noHandler = (await results.next('a missing handler to be refused')) as ConfigApply;
      expect(noHandler.applied).toBe(false);
      expect(noHandler.refused[0]).toMatch(/Runtime\.ImportModuleError: fn "hello": module "\.\/gone\.ts" was not found/);

      save(config, `${head}export default app('r', [queue('jobs'), queue('more'), fn('hello', './hello.ts', { timeout: 'soon' })]);\n`);
      expect(await results.next('an invalid config to be reported')).toEqual({ error: expect.stringMatching(/baton\.config\.ts.*timeout/) });
      expect(runtime.spec.fns[0]!.module).toBe('./hello.ts');
    } finally {
      watch.close();
      await runtime.stop();
      await app.close();
    }
  });

  it('diffs two versions by kind and name, with the fields that changed', async () => {
    const { app: define, queue, topic } = await import('../../src/index.ts');
    const a = define('d', [queue('q', { visibilityTimeout: '30s' }), topic('t')]);
    const b = define('d', [queue('q', { visibilityTimeout: '60s' }), queue('r')]);
    expect(diffSpecs(a, b).map(describeChange)).toEqual(['~ queue q (visibilityTimeoutMs)', '+ queue r', '- topic t']);
    expect(diffSpecs(a, a)).toEqual([]);
  });
});

describe('baton dev reloads as files are saved', { timeout: 180_000 }, () => {
  it('prints the reload of a saved handler, runs the new code, and applies a saved config', async () => {
    const p = join(dir, 'cli');
    mkdirSync(join(p, 'node_modules'), { recursive: true });
    writeFileSync(join(p, 'package.json'), '{ "type": "module" }');
    symlinkSync(root, join(p, 'node_modules', 'baton'));
    const config = join(p, 'baton.config.ts');
    const head = "import { app, fn, queue } from 'baton';\n";
    save(config, `${head}export default app('cli', [queue('jobs'), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] })]);\n`);
    save(join(p, 'hello.ts'), "export const handler = async (e: { Records: Array<{ body: string }> }) => { console.log('v1 ' + e.Records[0]!.body); };\n");
    const env = { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') };
    const args = [join(root, 'bin', 'baton.mjs'), '--config', config, '--dir', join(p, '.state')];
    const child = spawn(process.execPath, [...args, 'dev', '--no-dashboard'], { cwd: p, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const seen = new Reports<string>();
    const onData = (d: Buffer) => {
      out += d.toString();
      seen.push(out);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    /** Resolves once the output matches (each new chunk is a report), failing after the timeout. */
    const output = async (until: RegExp, what: string) => {
      while (!until.test(out)) await seen.next(what, 60_000);
    };
    const send = (body: string) => new Promise<void>((resolve, reject) => execFile(process.execPath, [...args, 'send', 'jobs', body], { cwd: p, env }, (err) => (err ? reject(err) : resolve())));
    try {
      await output(/running \(/, 'baton dev to start');
      await send('a');
      await output(/hello [0-9a-f]{8} INFO {2}v1 a/, 'the first run');
      save(join(p, 'hello.ts'), "export const handler = async (e: { Records: Array<{ body: string }> }) => { console.log('v2 ' + e.Records[0]!.body); };\n");
      await output(/baton dev: reloaded fn hello \(hello\.ts changed\)/, 'the reload line');
      await send('b');
      await output(/hello [0-9a-f]{8} INFO {2}v2 b/, 'a run of the new code');
      save(config, `${head}export default app('cli', [queue('jobs'), queue('more'), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] })]);\n`);
      await output(/baton dev: baton\.config\.ts changed: \+ queue more; re-provisioned and restarted the triggers/, 'the config line');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
