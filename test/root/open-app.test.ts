import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { app, fn, params, queue, table } from '../../src/index.ts';
import { openApp, type App } from '../../src/root/index.ts';
import { backendName } from '../../src/root/registry.ts';

const fixtures = fileURLToPath(new URL('../fixtures/handlers/', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
let opened: App | undefined;
let dir: string | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function spec() {
  const s = app('rooted', [queue('in'), table('seen', { partitionKey: 'id' }), params('/app', { initial: { token: 'first' } }), fn('put', './connect-put.ts', { timeout: '20s' })]);
  return { ...s, root: fixtures };
}

describe('openApp', { timeout: 60_000 }, () => {
  it("on local: invoke runs a handler whose connect() reaches the app's own state", async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-root-'));
    opened = await openApp(spec(), { backend: 'local', local: { dir, paramsKey: Buffer.alloc(32, 5) } });
    expect(opened.backend.name).toBe('local');
    await opened.provision();
    await opened.backend.params.put('/app/token', { value: 's3cr3t', type: 'SecureString', overwrite: true });
    const inv = await opened.invoke('put', { Records: [{ messageId: 'm1', body: 'hello' }] });
    expect(inv.error).toBeUndefined();
    expect(inv.result).toEqual({ written: 1 });
    expect(await opened.backend.tables.get('seen', { id: 'm1' })).toEqual({ id: 'm1', body: 'hello' });
    // The same executor serves every call: built once, on first use.
    expect(opened.executor).toBe(opened.executor);
    expect((await opened.backend.runs.get(inv.runId))?.status).toBe('ok');
  });

  it('provisions idempotently: the second run declares the same and creates no param', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-root-'));
    opened = await openApp(spec(), { local: { dir, paramsKey: Buffer.alloc(32, 5) } });
    const first = await opened.provision();
    expect(first).toEqual({ queues: ['in'], buckets: [], tables: ['seen'], topics: [], params: { created: ['/app/token'], kept: [] } });
    const second = await opened.provision();
    expect(second).toEqual({ ...first, params: { created: [], kept: ['/app/token'] } });
    expect((await opened.backend.params.get('/app/token')).version).toBe(1);
  });

  it('refuses an unknown backend name, naming the known ones', async () => {
    const err = await openApp(spec(), { backend: 'gcp' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/backend "gcp" is not a Baton backend; the backends are "local" and "aws"/);
    expect(() => backendName('Local', '--backend')).toThrow(/--backend "Local"/);
  });

  it("keeps `import { app } from 'baton'` free of SQLite; 'baton/handler' loads it only when a handler's BATON_BACKEND asks for it", async () => {
    const probe = (entry: string) => `import { createRequire } from 'node:module';
      await import(${JSON.stringify(join(repo, 'src'))} + '/' + ${JSON.stringify(entry)});
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('better-sqlite3'));
      console.log(loaded ? 'sqlite' : 'none');`;
    const run = (entry: string, env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe(entry)], { cwd: repo, env });
    const { BATON_BACKEND: _drop, ...bare } = process.env;
    expect((await run('index.ts', bare)).stdout.trim()).toBe('none');
    expect((await run('index.ts', { ...bare, BATON_BACKEND: 'local' })).stdout.trim()).toBe('none');
    expect((await run('handler.ts', bare)).stdout.trim()).toBe('none');
    expect((await run('handler.ts', { ...bare, BATON_BACKEND: 'local' })).stdout.trim()).toBe('sqlite');
  });
});
