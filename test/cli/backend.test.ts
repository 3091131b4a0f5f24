import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const config = join(root, 'examples', 'quickstart', 'baton.config.ts');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-backend-'));
const run = promisify(execFile);

// No AWS region, endpoint or backend from the machine running the tests.
const { AWS_REGION: _r, AWS_DEFAULT_REGION: _d, AWS_ENDPOINT_URL: _e, BATON_BACKEND: _b, ...baseEnv } = process.env;

async function baton(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--no-warnings', bin, ...args], { cwd: root, env: { ...baseEnv, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64'), ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI picks a backend', { timeout: 120_000 }, () => {
  it('provisions on local idempotently: the second run declares the same and creates nothing', async () => {
    const first = await baton(['--config', config, '--dir', dir, '--json', 'provision']);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as { backend: string; queues: string[]; params: { created: string[]; kept: string[] } };
    expect(a.backend).toBe('local');
    expect(a.queues).toEqual(['ingest-dlq', 'ingest']);
    expect(a.params.created.length).toBeGreaterThan(0);
    const second = await baton(['--config', config, '--dir', dir, '--json', 'provision']);
    const b = JSON.parse(second.stdout) as typeof a;
    expect(b).toEqual({ ...a, params: { created: [], kept: a.params.created } });
    expect((await baton(['--config', config, '--dir', dir, 'provision'])).stdout).toMatch(/^provisioned app "quickstart" on local:\n\s+queues\s+ingest-dlq, ingest/);
  });

  it('refuses an unknown backend, from --backend or BATON_BACKEND, naming the known ones', async () => {
    const flag = await baton(['--config', config, '--dir', dir, '--backend', 'gcp', 'queues']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/--backend "gcp" is not a Baton backend; the backends are "local" and "aws"/);
    const env = await baton(['--config', config, '--dir', dir, 'queues'], { BATON_BACKEND: 'azure' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/BATON_BACKEND "azure" is not a Baton backend/);
  });

  it("passes --backend aws on to openAws, whose clear error names the missing region", async () => {
    const r = await baton(['--config', config, '--backend', 'aws', 'provision']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the aws backend needs a region, and none is set\. Set AWS_REGION .* or pass --region/);
  });
});
