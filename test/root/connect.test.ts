import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Imports 'baton/handler' in a fresh process with `env`, calls connect() synchronously, and reports. */
async function handlerProcess(env: NodeJS.ProcessEnv): Promise<{ backend?: string; sqlite: boolean; error?: string }> {
  const probe = `import { createRequire } from 'node:module';
    const { connect } = await import(${JSON.stringify(join(repo, 'src', 'handler.ts'))});
    let backend, error;
    try { const b = connect(); backend = b.name; await b.close(); } catch (err) { error = err.message; }
    const sqlite = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('better-sqlite3'));
    console.log(JSON.stringify({ backend, sqlite, error }));`;
  const { AWS_REGION: _r, AWS_DEFAULT_REGION: _d, BATON_BACKEND: _b, ...bare } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', probe], { cwd: repo, env: { ...bare, ...env } });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { backend?: string; sqlite: boolean; error?: string };
}

// connect() is synchronous; the backend named in BATON_BACKEND loads as the handler module loads.
describe("connect() on the handler side", { timeout: 60_000 }, () => {
  it('opens aws from the environment without loading SQLite', async () => {
    expect(await handlerProcess({ BATON_BACKEND: 'aws', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', BATON_AWS_PREFIX: 'shop-' })).toEqual({ backend: 'aws', sqlite: false });
  });

  it("fails at connect(), not at import, with the backend's own error", async () => {
    const r = await handlerProcess({ BATON_BACKEND: 'aws' });
    expect(r.error).toMatch(/the aws backend needs a region/);
    expect((await handlerProcess({ BATON_BACKEND: 'gcp' })).error).toMatch(/"gcp" is not a Baton backend/);
  });

  it('says what to do where no executor named a backend', async () => {
    expect((await handlerProcess({})).error).toMatch(/the "local" backend is not loaded in this process \(BATON_BACKEND is not set\)/);
  });
});
