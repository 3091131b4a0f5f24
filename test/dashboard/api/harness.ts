/**
 * A dashboard on a real app for the API tests: the local backend in a temp dir, handlers from
 * test/fixtures/handlers run through the app's executor, and the server on 127.0.0.1 (port 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, bucket, fn, params, queue, schedule, table } from '../../../src/index.ts';
import { startDashboard, type DashboardOptions, type DashboardServer } from '../../../src/dashboard/server/index.ts';
import { openApp, type App } from '../../../src/root/index.ts';

const handlers = fileURLToPath(new URL('../../fixtures/handlers/', import.meta.url));

export function testSpec() {
  const s = app('dash', [
    bucket('uploads', { notifications: [{ events: ['created'], prefix: 'in/', target: { queue: 'work' } }] }),
    queue('work', { deadLetter: { maxReceiveCount: 1 } }),
    table('orders', { partitionKey: 'customer', sortKey: { name: 'id', type: 'number' }, stream: 'NEW_AND_OLD_IMAGES' }),
    params('/dash', { initial: { plain: 'visible', secret: { value: 's3cr3t-value', type: 'SecureString' } } }),
    fn('echo', './echo.ts', { timeout: '10s', triggers: [{ queue: 'work' }] }),
    fn('throws', './throws.ts', { timeout: '10s' }),
    fn('logs', './logs.ts', { timeout: '10s', triggers: [{ table: 'orders' }] }),
    schedule('nightly', { expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Paris', target: { fn: 'echo' } }),
  ]);
  return { ...s, root: handlers };
}

export interface Harness {
  app: App;
  dash: DashboardServer;
  dir: string;
  /** An absolute URL on the dashboard. */
  url(path: string): string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startHarness(options: DashboardOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-dash-'));
  const opened = await openApp(testSpec(), { local: { dir, paramsKey: Buffer.alloc(32, 3) } });
  await opened.provision();
  const dash = await startDashboard(opened, { port: 0, sampleEveryMs: 100, ...options });
  const url = (path: string) => `http://127.0.0.1:${dash.port}${path}`;
  const parse = async (res: Response) => {
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, body: text };
    }
  };
  return {
    app: opened,
    dash,
    dir,
    url,
    get: async (path, headers = {}) => parse(await fetch(url(path), { headers })),
    post: async (path, body, headers = { 'x-baton-action': '1' }) => parse(await fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })),
    async close() {
      await dash.close();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
