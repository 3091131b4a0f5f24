/**
 * Cancelling runs in real Chromium (issue 14): an app whose queue handler never returns runs under
 * its engine; the page cancels a running run from its detail and sees its status turn `cancelled`
 * (Baton.Cancelled, by dashboard) without a reload, then cancels two running runs together from the
 * list. Screenshots go to screenshots/ (git-ignored); any console error, failed request or HTTP
 * error fails the test.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { app as defineApp, fn, queue } from '../../../src/index.ts';
import { startDashboard, type DashboardServer } from '../../../src/dashboard/server/index.ts';
import { openApp, type App } from '../../../src/root/index.ts';
import type { Engine } from '../../../src/runtime/engine/index.ts';
import { hasChromium, chromiumPath, launch, type Browser } from './browser.ts';

// The browser's globals that the page.evaluate callbacks use (the project compiles without the DOM lib).
declare const document: { querySelector(s: string): { textContent: string | null } | null };
declare const location: { hash: string };
declare const window: object;

const shots = join(import.meta.dirname, '../../../screenshots');

describe.skipIf(!hasChromium)(`cancelling runs in Chromium (${hasChromium ? chromiumPath : `skipped: ${chromiumPath} is missing; install Debian's chromium package`})`, () => {
  let dir: string;
  let app: App;
  let engine: Engine;
  let dash: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'baton-dashboard-cancel-'));
    const spec = defineApp('cancel', [queue('work', { visibilityTimeout: '5m', deadLetter: { maxReceiveCount: 2 } }), fn('stuck', './stuck.ts', { timeout: '15m', concurrency: 4, triggers: [{ queue: 'work', batchSize: 1 }] })]);
    app = await openApp({ ...spec, root: join(import.meta.dirname, 'fixtures') }, { local: { dir } });
    engine = await app.startEngine();
    dash = await startDashboard(app, { port: 0 });
    browser = await launch();
    await browser.page.goto(dash.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await engine?.stop({ deadlineMs: 2000 });
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(browser.problems.splice(0)).toEqual([]);
  });

  const page = () => browser.page;
  const show = (hash: string) => page().evaluate((h) => void (location.hash = h), hash);
  const text = (selector: string) => page().evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
  const shoot = (name: string) => page().screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  /** Sends `n` messages and resolves with the ids of the runs they started, once all are running. */
  const startRuns = async (n: number, before: ReadonlySet<string>): Promise<string[]> => {
    for (let i = 0; i < n; i++) await app.backend.queues.send('work', { body: `job ${i}` });
    await expect.poll(async () => (await app.backend.runs.list({ fn: 'stuck', status: 'running' })).filter((r) => !before.has(r.id)).length, { timeout: 20_000 }).toBe(n);
    return (await app.backend.runs.list({ fn: 'stuck', status: 'running' })).map((r) => r.id).filter((id) => !before.has(id));
  };

  it("cancels a running run from its detail and sees it end 'cancelled' without a reload", async () => {
    const [id] = await startRuns(1, new Set());
    await show(`#/runs/${id}`);
    await expect.poll(() => text('.badge'), { timeout: 10_000 }).toBe('running');
    await expect.poll(() => text('[data-live]'), { timeout: 10_000 }).toBe('live');
    await page().evaluate(() => Object.assign(window, { sameDocument: true }));
    await shoot('run-running');
    await page().locator('button', { hasText: /^Cancel$/ }).click();
    // The request is stored at once; the engine stops the run within about a second and the event stream says so.
    await expect.poll(() => text('.badge'), { timeout: 15_000 }).toBe('cancelled');
    await expect.poll(() => text('.error-box')).toMatch(new RegExp(`^Baton.Cancelled Run ${id} was cancelled by dashboard at .*; its worker was stopped\\.$`));
    expect(await page().evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page().locator('button', { hasText: /^Cancel$/ }).count()).toBe(0);
    await shoot('run-cancelled');
    expect(await app.backend.runs.get(id!)).toMatchObject({ status: 'cancelled', cancelRequest: { by: 'dashboard' } });
    // Its message was not deleted: it waits out the visibility timeout to come back.
    expect(await app.backend.queues.stats('work')).toMatchObject({ delayed: 1, visible: 0 });
  });

  it('cancels the selected running runs together from the list', async () => {
    const before = new Set((await app.backend.runs.list({ fn: 'stuck' })).map((r) => r.id));
    const ids = await startRuns(2, before);
    await show('#/runs?status=running');
    await expect.poll(() => page().locator('tr[data-run]').count(), { timeout: 10_000 }).toBe(2);
    await page().locator('input[aria-label="select all"]').check();
    const button = page().locator('button', { hasText: /^Cancel selected/ });
    await expect.poll(() => button.textContent()).toBe('Cancel selected (2)');
    await button.click();
    await expect.poll(() => text('[data-bulk="cancel"]')).toMatch(/^Asked to cancel 2 of 2/);
    for (const id of ids) await expect.poll(() => text(`tr[data-run="${id}"] .badge`), { timeout: 15_000 }).toBe('cancelled');
    await shoot('runs-bulk-cancelled');
    expect((await Promise.all(ids.map((id) => app.backend.runs.get(id)))).map((r) => r?.status)).toEqual(['cancelled', 'cancelled']);
    expect(engine.errors).toEqual([]);
  });
});
