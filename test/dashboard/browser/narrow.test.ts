/**
 * The dashboard on narrow screens, in real Chromium: a phone (390x844) and a tablet (768x1024).
 * Every screen is opened (through the nav where it has an entry) and must not overflow
 * horizontally (the page never scrolls sideways: wide tables scroll inside their card), and the
 * nav must be usable: every entry on screen, big enough to tap, and taking you to its screen.
 * Screenshots go to screenshots/narrow-<width>-<screen>.png (git-ignored); any console error,
 * failed request or HTTP error fails the test.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '../../../src/dashboard/server/index.ts';
import { hasChromium, chromiumPath, launch, type Browser } from './browser.ts';
import { quickstartState, type QuickstartState } from './state.ts';

// The browser's globals that the page.evaluate callbacks use (the project compiles without the DOM lib).
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { left: number; right: number; width: number }; tagName: string; className: unknown }>;
};
declare const window: { innerWidth: number };
declare const location: { hash: string };

const shots = join(import.meta.dirname, '../../../screenshots');
const viewports = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
];
const navEntries = ['App', 'Runs', 'Queues', 'Jobs & maps', 'Schedules', 'Params', 'Tables', 'Lake'];

describe.skipIf(!hasChromium)(`dashboard on narrow screens (${hasChromium ? chromiumPath : `skipped: ${chromiumPath} is missing; install Debian's chromium package`})`, { timeout: 180_000 }, () => {
  let state: QuickstartState;
  let dash: DashboardServer;
  let runId: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    state = await quickstartState();
    dash = await startDashboard(state.app, { port: 0 });
    runId = (await state.app.backend.runs.page({ status: 'error', limit: 1 })).items[0]!.id;
    await state.app.map('square', Array.from({ length: 10 }, (_, n) => ({ n })), { id: 'squares', concurrency: 2, retries: 0, toleratedFailures: 1 });
    const job = await state.app.jobs.start('relay', { id: 'relay-narrow', input: { n: 2 } });
    await state.app.jobs.drive(job.id);
  }, 180_000);

  afterAll(async () => {
    await dash?.close();
    await state?.close();
  });

  for (const vp of viewports) {
    it(`${vp.name} (${vp.width}x${vp.height}): every screen fits the width and the nav takes you to each`, async () => {
      const browser: Browser = await launch({ width: vp.width, height: vp.height });
      const page = browser.page;
      try {
        /** What sticks out of the viewport: the page's scroll width, and the widest elements past its right edge. */
        const overflow = () =>
          page.evaluate(() => {
            const width = window.innerWidth;
            const out: string[] = [];
            for (const el of Array.from(document.querySelectorAll('body *'))) {
              const r = el.getBoundingClientRect();
              if (r.width > 0 && r.right > width + 0.5 && out.length < 5) out.push(`${el.tagName.toLowerCase()}.${String(el.className)} right=${Math.round(r.right)}`);
            }
            return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, out };
          });
        const check = async (screen: string, ready: string) => {
          await page.locator(ready).first().waitFor({ timeout: 15_000 });
          await page.screenshot({ path: join(shots, `narrow-${vp.width}-${screen}.png`), fullPage: true });
          const o = await overflow();
          expect(o.scrollWidth, `${screen} at ${vp.width}px overflows: ${o.out.join(', ')}`).toBeLessThanOrEqual(o.innerWidth);
        };

        await page.goto(`${dash.url}#/app`);
        await check('app', '[data-node="queue:ingest"] [data-count="dlqDepth"]');

        // The nav: every entry visible, inside the width, tall enough to tap, and it goes where it says.
        const links = page.locator('nav a');
        expect(await links.allTextContents()).toEqual(navEntries);
        for (let i = 0; i < navEntries.length; i++) {
          const box = (await links.nth(i).boundingBox())!;
          expect(await links.nth(i).isVisible(), navEntries[i]).toBe(true);
          expect(box.x, navEntries[i]).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width, navEntries[i]).toBeLessThanOrEqual(vp.width);
          expect(box.height, `${navEntries[i]} is a tap target`).toBeGreaterThanOrEqual(28);
        }
        const viaNav: Array<[string, string, string]> = [
          ['Runs', 'runs', 'tr[data-run]'],
          ['Queues', 'queues', 'tr[data-queue="ingest-dlq"]'],
          ['Jobs & maps', 'jobs', 'tr[data-map="squares"]'],
          ['Schedules', 'schedules', 'tr[data-schedule="morning-pull"]'],
          ['Params', 'params', 'tr[data-param="/quickstart/last-run"]'],
          ['Tables', 'tables', 'a[href*="tables?name="], [data-consumers]'],
          ['Lake', 'lake', '[data-lake-table="sales"]'],
          ['App', 'app', '[data-node="queue:ingest"]'],
        ];
        for (const [label, screen, ready] of viaNav) {
          await page.locator('nav a', { hasText: label }).click();
          await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/${screen}`);
          // The page marks the entry active when it renders the route, a moment after the hash changes.
          await expect.poll(() => page.locator('nav a.active').textContent()).toBe(label);
          await check(screen, ready);
        }

        // The screens reached from a list: a run, a queue with its dead letter opened, a map, a job, a table's items, a query result.
        const go = (hash: string) => page.evaluate((h) => void (location.hash = h), hash);
        await go(`#/runs/${runId}`);
        await check('run', '.error-box');
        await go('#/queues/ingest');
        await page.locator('[data-messages="ingest-dlq"] tr[data-message]').first().click();
        await check('queue', '[data-message-detail]');
        await go('#/maps/squares');
        await check('map', '[data-failed-items]');
        await go('#/jobs/relay-narrow');
        await check('job', '[data-timeline] .relay');
        await go('#/tables?name=orders');
        await check('table', '[data-items] tbody tr');
        await go('#/lake');
        await page.locator('[data-lake-table="sales"] a').click();
        await page.locator('[data-lake-partitions] tbody tr').first().waitFor();
        await page.fill('textarea[name="sql"]', "SELECT customer, sum(amount) AS total, count(*) AS n, min(dt) AS first_day, 'a long text column that is wider than a phone' AS note FROM sales GROUP BY customer ORDER BY customer");
        await page.locator('button', { hasText: 'Run query' }).click();
        await check('lake-query', '[data-sql-result] tbody tr');
        expect(browser.problems).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});
