/**
 * The dashboard in real Chromium (issue 14's proof): the quickstart runs on a temp state until its
 * broken file is dead-lettered; the page shows the app graph with its counts, opens the
 * dead-lettered message, redrives it with a dry run then for real and watches the DLQ's depth fall
 * without a reload; watches a map's progress; runs a SQL query. Every screen is written to
 * screenshots/ (git-ignored), and any console error, failed request or HTTP error fails the test.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '../../../src/dashboard/server/index.ts';
import { hasChromium, chromiumPath, launch, type Browser } from './browser.ts';
import { quickstartState, type QuickstartState } from './state.ts';

// The browser's globals that the page.evaluate callbacks use (the project compiles without the DOM lib).
declare const document: { querySelector(s: string): { textContent: string | null; getAttribute(name: string): string | null } | null; body: unknown };
declare const location: { hash: string };
declare const window: object;
declare const MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };

const shots = join(import.meta.dirname, '../../../screenshots');

// CI installs Debian's chromium (.ci/run); elsewhere the suite says why it did not run.
describe.skipIf(!hasChromium)(`dashboard in Chromium (${hasChromium ? chromiumPath : `skipped: ${chromiumPath} is missing; install Debian's chromium package`})`, () => {
  let state: QuickstartState;
  let dash: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    state = await quickstartState();
    dash = await startDashboard(state.app, { port: 0 });
    browser = await launch();
    await browser.page.goto(dash.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await state?.close();
  });

  afterEach(() => {
    // Taken out, so one test's problems are reported once, by that test.
    expect(browser.problems.splice(0)).toEqual([]);
  });

  const page = () => browser.page;
  /** Goes to a hash route in the same document (no reload, the event stream stays open). */
  const show = async (hash: string) => {
    await page().evaluate((h) => {
      location.hash = h;
    }, hash);
  };
  /** The text of the first element matching `selector`, or null (never waits). */
  const text = (selector: string) => page().evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
  const shoot = (name: string) => page().screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  it('shows the app graph with live counts on its nodes', async () => {
    await show('#/app');
    await expect.poll(() => text('[data-node="queue:ingest"] [data-count="dlqDepth"]'), { timeout: 10_000 }).toBe('1 DLQ');
    await expect.poll(() => text('[data-node="queue:ingest-dlq"] [data-count="depth"]')).toBe('1 depth');
    // ingest-orders ran in the last minute, and some of its runs failed (the batches with the broken file).
    expect(Number((await text('[data-node="fn:ingest-orders"] [data-count="runsPerMinute"]'))?.split(' ')[0])).toBeGreaterThan(0);
    expect(await text('[data-node="fn:ingest-orders"] [data-count="errors"]')).toMatch(/[1-9]\d* errors/);
    await expect.poll(() => text('[data-live]')).toBe('live');
    await shoot('app');
    // A node opens its screen.
    await page().locator('[data-node="queue:ingest"]').click();
    await expect.poll(() => page().evaluate(() => location.hash)).toBe('#/queues/ingest');
    await show('#/app');
    await page().locator('[data-node="fn:ingest-orders"]').click();
    await expect.poll(() => page().evaluate(() => location.hash)).toBe('#/runs?fn=ingest-orders');
  });

  it('lists runs with filters and opens a failed run with its error and logs', async () => {
    await show('#/runs');
    await expect.poll(() => page().locator('tr[data-run]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shoot('runs');
    await page().selectOption('select[name="status"]', 'error');
    await expect.poll(() => page().evaluate(() => location.hash)).toBe('#/runs?status=error');
    await expect.poll(async () => (await page().locator('tr[data-run] .badge').allTextContents()).every((t) => t === 'error') && (await page().locator('tr[data-run]').count()) > 0, { timeout: 10_000 }).toBe(true);
    await page().locator('tr[data-run] td:last-child a').first().click();
    await expect.poll(() => text('.error-box'), { timeout: 10_000 }).toMatch(/^BatchItemFailures 1 of \d+ messages reported/);
    expect(await page().locator('table.logs tr').count()).toBeGreaterThan(0);
    await shoot('run');
  });

  it('opens the dead-lettered message, redrives it with a dry run then for real, and the depth falls without a reload', async () => {
    await show('#/queues');
    await expect.poll(() => text('tr[data-queue="ingest-dlq"] [data-field="depth"]'), { timeout: 10_000 }).toBe('1');
    await shoot('queues');

    await show('#/queues/ingest');
    const row = page().locator('[data-messages="ingest-dlq"] tr[data-message]');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.click();
    const detail = page().locator('[data-message-detail]');
    await expect.poll(() => detail.count()).toBe(1);
    expect(await detail.textContent()).toContain('broken.json');
    expect(await text('[data-messages="ingest-dlq"] tr[data-message] td:nth-child(2)')).toBe('ingest');
    expect(await text('[data-message-detail] .error-box')).toMatch(/\S/);
    await expect.poll(() => text('[data-stat="in ingest-dlq"] .stat-value')).toBe('1');
    await shoot('queue-dead-letter');

    await state.fixBrokenFile();
    await page().evaluate(() => Object.assign(window, { sameDocument: true }));
    await page().locator('[data-redrive="ingest-dlq"] button', { hasText: 'Dry run' }).click();
    await expect.poll(() => text('[data-redrive-preview]')).toMatch(/^1 message would move back to its source queue/);
    expect((await state.app.backend.queues.stats('ingest')).deadLettered).toBe(1);
    await shoot('queue-redrive-dry-run');

    await page().locator('[data-redrive-preview] button', { hasText: 'Redrive 1 message' }).click();
    await expect.poll(() => text('[data-redrive-done]')).toBe('Moved 1 message.');
    // The DLQ's depth falls on the page from the event stream: the same document, no reload.
    await expect.poll(() => text('[data-stat="in ingest-dlq"] .stat-value'), { timeout: 10_000 }).toBe('0');
    await expect.poll(() => page().locator('[data-messages="ingest-dlq"] tr[data-message]').count(), { timeout: 10_000 }).toBe(0);
    expect(await page().evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect((await state.app.backend.queues.stats('ingest')).deadLettered).toBe(0);
    await shoot('queue-after-redrive');
  });

  it('watches a map run: its progress grows live to the total, with its failed item', async () => {
    const total = 40;
    await show('#/jobs');
    await expect.poll(() => text('[data-live]')).toBe('live');
    // Record every value a progress bar of the map shows (its row here, then its own screen), as it changes.
    await page().evaluate(() => {
      const seen: number[] = [];
      Object.assign(window, { seen });
      new MutationObserver(() => {
        const v = document.querySelector('[data-map-progress] [role="progressbar"], tr[data-map="squares"] [role="progressbar"]')?.getAttribute('aria-valuenow');
        if (v !== null && v !== undefined && seen[seen.length - 1] !== Number(v)) seen.push(Number(v));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const done = state.app.map('square', Array.from({ length: total }, (_, n) => ({ n })), { id: 'squares', concurrency: 2, retries: 0, toleratedFailures: 1 });
    await expect.poll(() => page().locator('tr[data-map="squares"]').count(), { timeout: 10_000 }).toBe(1);
    await page().locator('tr[data-map="squares"] a').first().click();
    await expect.poll(() => page().evaluate(() => location.hash)).toBe('#/maps/squares');
    await done;
    await expect.poll(() => text('[data-stat="succeeded"] .stat-value'), { timeout: 10_000 }).toBe(String(total - 1));
    await expect.poll(() => text('[data-stat="failed"] .stat-value')).toBe('1');
    const seen = await page().evaluate(() => (window as { seen?: number[] }).seen ?? []);
    expect(seen[seen.length - 1]).toBe(total);
    expect(seen.some((v) => v > 0 && v < total)).toBe(true);
    await expect.poll(() => text('[data-failed-items]')).toContain('7 is refused by the fixture');
    await shoot('map');
    await show('#/jobs');
    await expect.poll(() => text('tr[data-map="squares"] .progress-num')).toBe(`${total} / ${total}`);
    await shoot('jobs');
  });

  it('shows a job that relayed: its relays on the timeline, its progress and checkpoint', async () => {
    const started = await state.app.jobs.start('relay', { id: 'relay-demo', input: { n: 4 } });
    const job = await state.app.jobs.drive(started.id);
    expect(job?.status).toBe('succeeded');
    await show('#/jobs');
    await expect.poll(() => text('tr[data-job="relay-demo"] .badge'), { timeout: 10_000 }).toBe('succeeded');
    await page().locator('tr[data-job="relay-demo"] a').first().click();
    await expect.poll(() => page().locator('[data-timeline] .relay').count(), { timeout: 10_000 }).toBe(5);
    expect(await page().locator('[data-timeline] .relay.ok').count()).toBe(5);
    expect(await text('.page-head .badge')).toBe('succeeded');
    await shoot('job');
  });

  it('runs a SQL query over the lake and shows the result table', async () => {
    await show('#/lake');
    await expect.poll(() => page().locator('[data-lake-table="sales"]').count(), { timeout: 10_000 }).toBe(1);
    await page().locator('[data-lake-table="sales"] a').click();
    await expect.poll(() => page().locator('[data-lake-partitions] tbody tr').count(), { timeout: 10_000 }).toBe(2);
    await page().fill('textarea[name="sql"]', 'SELECT customer, sum(amount) AS total, count(*) AS n FROM sales WHERE dt = ? GROUP BY customer ORDER BY customer');
    await page().fill('input[name="params"]', '["2026-12-02"]');
    await page().locator('button', { hasText: 'Run query' }).click();
    await expect.poll(() => page().locator('[data-sql-result] tbody tr').count(), { timeout: 20_000 }).toBe(7);
    expect(await page().locator('[data-sql-result] thead th').allTextContents()).toEqual(['customer', 'total', 'n']);
    const rows = await page().locator('[data-sql-result] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    // 60 rows of i in 0..59: customer c(i % 7), amount i % 10 + 1.
    const expected = Array.from({ length: 7 }, (_, c) => {
      const is = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 7 === c);
      return [`c${c}`, String(is.reduce((a, i) => a + (i % 10) + 1, 0)), String(is.length)];
    });
    expect(rows).toEqual(expected);
    await shoot('lake');
  });

  it('shows schedules, params (SecureString masked) and tables with their stream consumers', async () => {
    await show('#/schedules');
    await expect.poll(() => text('tr[data-schedule="morning-pull"] td:nth-child(2)'), { timeout: 10_000 }).toBe('cron(0/20 6-8 * * ? *)');
    expect(await text('tr[data-schedule="morning-pull"] td:nth-child(3)')).toBe('Europe/London');
    await shoot('schedules');

    await state.app.backend.params.put('/quickstart/api-key', { value: 'hunter2-secret', type: 'SecureString' });
    await show('#/params');
    await expect.poll(() => text('tr[data-param="/quickstart/last-run"] td:nth-child(4)'), { timeout: 10_000 }).toBe('never');
    await expect.poll(() => text('tr[data-param="/quickstart/api-key"] td:nth-child(4)'), { timeout: 10_000 }).toBe('********');
    expect(await page().content()).not.toContain('hunter2-secret');
    await shoot('params');

    await show('#/tables?name=orders');
    await expect.poll(() => text('[data-consumers] tbody tr td:first-child'), { timeout: 10_000 }).toBe('keep-totals');
    await expect.poll(() => page().locator('[data-items] tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page().fill('input[name="pk"]', 'c3');
    await page().locator('form.inline button', { hasText: 'Show' }).click();
    await expect.poll(async () => {
      const cells = await page().locator('[data-items] tbody tr td:first-child').allTextContents();
      return cells.length > 0 && cells.every((c) => c === 'c3');
    }, { timeout: 10_000 }).toBe(true);
    await shoot('tables');
  });

  it('held one event stream for the whole session and loaded the app once (live counts came from events, not polling)', () => {
    const count = (r: string) => browser.requests.filter((x) => x === r).length;
    expect(count('GET /api/events')).toBe(1);
    expect(count('GET /api/app')).toBe(1);
    expect(count('GET /')).toBe(1);
  });

  it('works behind a token: the page keeps ?token= from its URL, sends it as a Bearer header and on the event stream, and its actions pass the guard', async () => {
    const guarded = await startDashboard(state.app, { port: 0, publicBind: true, token: 'tok-for-the-browser-test' });
    const tab = await browser.context.newPage();
    const seen: string[] = [];
    const problems: string[] = [];
    tab.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) seen.push(`${r.method()} ${new URL(r.url()).pathname} ${r.headers()['authorization'] ?? new URL(r.url()).searchParams.get('token') ?? 'none'}`);
    });
    tab.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    tab.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    try {
      expect(guarded.url).toContain('?token=tok-for-the-browser-test');
      await tab.goto(`${guarded.url}#/queues/ingest`);
      await expect.poll(() => tab.evaluate(() => document.querySelector('[data-live]')?.textContent ?? null), { timeout: 10_000 }).toBe('live');
      await tab.locator('[data-redrive="ingest-dlq"] button', { hasText: 'Dry run' }).click();
      await expect.poll(() => tab.evaluate(() => document.querySelector('[data-redrive-preview]')?.textContent ?? null), { timeout: 10_000 }).toMatch(/^\d+ messages? would move/);
      expect(seen).toContain('GET /api/app Bearer tok-for-the-browser-test');
      expect(seen).toContain('GET /api/events tok-for-the-browser-test');
      expect(seen).toContain('POST /api/queues/ingest-dlq/redrive Bearer tok-for-the-browser-test');
      expect(problems).toEqual([]);
    } finally {
      await tab.close();
      await guarded.close();
    }
  });
});
