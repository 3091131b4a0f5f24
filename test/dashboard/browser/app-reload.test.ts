/**
 * The page follows the app's new version (baton dev applied a saved config; see
 * test/dashboard/api/dev-reload.test.ts for the server side): after DashboardServer.setApp, the
 * open page redraws the graph from the `app` event, in the same document, without fetching the
 * app again; a screenshot of the graph before and after goes to screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '../../../src/dashboard/server/index.ts';
import { app as defineApp, fn, queue } from '../../../src/index.ts';
import { openApp, type App } from '../../../src/root/index.ts';
import { hasChromium, chromiumPath, launch, type Browser } from './browser.ts';

declare const window: object;

const shots = join(import.meta.dirname, '../../../screenshots');

describe.skipIf(!hasChromium)(`dashboard page after a config reload (${hasChromium ? chromiumPath : `skipped: ${chromiumPath} is missing; install Debian's chromium package`})`, { timeout: 120_000 }, () => {
  let dir: string;
  let app: App;
  let dash: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'baton-dash-reload-page-'));
    app = await openApp({ ...defineApp('r', [queue('jobs'), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] })]), root: dir }, { local: { dir } });
    await app.provision();
    dash = await startDashboard(app, { port: 0, sampleEveryMs: 200 });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('redraws the graph with the new queue, function and trigger, in the same document', async () => {
    const page = browser.page;
    await page.goto(`${dash.url}#/app`);
    await page.locator('[data-node="queue:jobs"]').waitFor();
    await expect.poll(() => page.locator('[data-live]').textContent()).toBe('live');
    expect(await page.locator('[data-node="queue:more"]').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'app-reload-before.png'), fullPage: true });
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    const next = app.withSpec({ ...defineApp('r', [queue('jobs'), queue('more', { deadLetter: { maxReceiveCount: 2 } }), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] }), fn('second', './second.ts', { triggers: [{ queue: 'more' }] })]), root: dir });
    await next.provision();
    await next.backend.queues.send('more', { body: 'waiting' });
    await dash.setApp(next);

    await page.locator('[data-node="queue:more"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-node="fn:second"]').waitFor();
    await page.locator('[data-node="queue:more-dlq"]').waitFor();
    expect(await page.locator('path.edge').count()).toBe(3);
    await expect.poll(() => page.locator('[data-node="queue:more"] [data-count="depth"]').textContent(), { timeout: 10_000 }).toBe('1 depth');
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(browser.requests.filter((r) => r === 'GET /api/app')).toHaveLength(1);
    await page.screenshot({ path: join(shots, 'app-reload-after.png'), fullPage: true });
    expect(browser.problems).toEqual([]);
  });
});
