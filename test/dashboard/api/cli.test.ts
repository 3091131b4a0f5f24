/**
 * `baton dashboard` serves an existing state without running the engine (and quits on SIGINT),
 * and the default port falls back to a free one when taken, saying so; an explicit port that is
 * taken is an error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDashboard } from '../../../src/cli/commands/dashboard.ts';
import { defaults } from '../../../src/core/defaults.ts';
import { ValidationError } from '../../../src/core/errors.ts';
import { startDashboard } from '../../../src/dashboard/server/index.ts';
import { startHarness } from './harness.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const config = join(root, 'examples', 'quickstart', 'baton.config.ts');
const dir = mkdtempSync(join(tmpdir(), 'baton-dash-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `baton <args>` and resolves with the dashboard URL it prints. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [bin, '--config', config, '--dir', dir, ...args], { cwd: root, env: { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed; output: ${out}`)), 90_000);
    const check = () => {
      const m = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) (clearTimeout(timer), resolve(m[1]!));
    };
    child.stdout!.on('data', check);
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  return { child, url, output: () => out };
}

describe('baton dashboard', { timeout: 120_000 }, () => {
  it('serves the state of an app given by --config and --dir, on the port asked for, until SIGINT', async () => {
    const { child, url } = await startCli(['dashboard', '--port', '0']);
    const app = (await (await fetch(new URL('api/app', url))).json()) as { name: string; nodes: Array<{ id: string; counts: Record<string, number> }> };
    expect(app.name).toBe('quickstart');
    expect(app.nodes.find((n) => n.id === 'queue:ingest')?.counts).toMatchObject({ depth: 0, dlqDepth: 0 });
    expect((await fetch(new URL('api/runs', url))).status).toBe(200);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
  });

  it('baton dev serves it too and prints its URL', async () => {
    const { child, url, output } = await startCli(['dev', '--dashboard-port', '0']);
    expect(output()).toMatch(/baton dev: dashboard at http:\/\/127\.0\.0\.1:\d+\//);
    const app = (await (await fetch(new URL('api/app', url))).json()) as { name: string };
    expect(app.name).toBe('quickstart');
    expect((await fetch(new URL('api/schedules', url))).status).toBe(200);
    child.kill('SIGINT');
    expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(0);
  });

  it('falls back to a free port when the default one is taken, and says so; an explicit taken port is an error', async () => {
    // Hold the default port (unless something else already does: then it is taken all the same).
    const blocker: Server = createServer();
    const held = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(defaults.dashboard.port, '127.0.0.1', () => resolve(true));
    });
    const h = await startHarness();
    try {
      const dash = await startDashboard(h.app, {});
      try {
        expect(dash.portInUse).toBe(defaults.dashboard.port);
        expect(dash.port).not.toBe(defaults.dashboard.port);
        expect(describeDashboard(dash).join('\n')).toMatch(new RegExp(`port ${defaults.dashboard.port} was in use; serving on ${dash.port} instead`));
        expect((await fetch(`http://127.0.0.1:${dash.port}/api/app`)).status).toBe(200);
        const err = await startDashboard(h.app, { port: dash.port }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as Error).message).toMatch(new RegExp(`port ${dash.port} on 127.0.0.1 is in use.*--port`));
      } finally {
        await dash.close();
      }
    } finally {
      await h.close();
      if (held) await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
