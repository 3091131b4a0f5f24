import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, redactedMarker } from '../../src/core/secrets.ts';
import { app, fn, params } from '../../src/index.ts';
import { openApp, type App } from '../../src/root/index.ts';

const fixtures = fileURLToPath(new URL('../fixtures/handlers/', import.meta.url));
let opened: App | undefined;
let dir: string | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  forgetSecrets();
});

async function open(initial: Record<string, { value: string; type: 'SecureString' }> = {}): Promise<App> {
  dir = mkdtempSync(join(tmpdir(), 'baton-secrets-'));
  const spec = { ...app('secrets', [params('/app', { initial }), fn('leak', './secret-leak.ts', { timeout: '20s' })]), root: fixtures };
  opened = await openApp(spec, { backend: 'local', local: { dir, paramsKey: Buffer.alloc(32, 7) } });
  await opened.provision();
  return opened;
}

describe('SecureString values in run logs and errors', { timeout: 60_000 }, () => {
  it('a value the handler read through connect() is redacted in its logs and error, in the worker', async () => {
    const a = await open();
    const secret = 'hunter2-"quoted"-secret';
    await a.backend.params.put('/app/token', { value: secret, type: 'SecureString' });
    // Only the worker's own read may know it: the test process forgets the value it wrote.
    forgetSecrets();
    const inv = await a.invoke('leak', { name: '/app/token' });
    expect(inv.status).toBe('error');
    const run = await a.backend.runs.get(inv.runId);
    const logs = await a.backend.runs.logs(inv.runId);
    const recorded = JSON.stringify({ run, logs, inv: { error: inv.error, logs: inv.logs } });
    expect(recorded).not.toContain('hunter2');
    expect(logs.map((l) => l.message)).toEqual([
      `the token is ${redactedMarker}`,
      expect.stringContaining(`"token":"${redactedMarker}"`),
      expect.stringContaining(`login refused for token ${redactedMarker}`),
    ]);
    expect(run?.error?.message).toBe(`login refused for token ${redactedMarker}`);
  });

  it("the app's own SecureString params are redacted from the runs this process records", async () => {
    const a = await open({ key: { value: 'app-level-secret', type: 'SecureString' } });
    await a.backend.params.put('/app/other', { value: 'plain', type: 'String' });
    const inv = await a.invoke('leak', { name: '/app/other', echo: 'app-level-secret' });
    const logs = await a.backend.runs.logs(inv.runId);
    expect(JSON.stringify(logs)).not.toContain('app-level-secret');
    expect(logs[1]?.message).toContain(`"echo":"${redactedMarker}"`);
    // A String parameter is no secret.
    expect(logs[0]?.message).toBe('the token is plain');
  });
});
