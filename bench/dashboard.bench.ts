// npm run bench -- dashboard
//
// The dashboard on a large state: 100,000 runs (100 functions x 1,000, the default retention's
// cap per function) and a dead-letter queue of 50,000 messages, each dead-lettered the real way
// (received, released with an error, moved with its source and last error).
//
// API p95 latency: the page's queries through HTTP (a keep-alive connection, sequential requests,
// each read and parsed as the page does) against the same query run directly on the store in the
// same run (baseline). Queries: the runs list's first page, a filtered page (one function's
// errors) and a page 500 runs deep by cursor, and the DLQ's first page of messages.
//
// api_app_p95_ms: GET /api/app (the graph with every node's live counts: each queue's stats, the
// runs counted per function by time and status) through HTTP, against the same store calls made
// directly (baseline). Goal: under 50 ms on this state.
//
// redrive_ms_per_500: the 50,000-message DLQ redriven for real (queues.redrive, every message back
// to its source queue), in ms per 500 messages; baseline: one plain SQL UPDATE moving the same rows
// between the two queues on the same file (the floor of any set-based move). Run last, as it
// empties the DLQ; each is run twice (the floor moves the rows back), the better counts.
//
// First paint: headless Chromium (the browser tests' flags) opens the dashboard on that state, in
// a fresh tab each time: first-contentful-paint of the page, and the time until the app graph is
// drawn with its counts (GET /api/app done). Baseline: first-contentful-paint of a static HTML
// page of the same size served by a plain node:http server in the same run (the floor of any page
// load in that browser). Goal: first paint under 1 s.
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { app as defineApp, fn, queue } from '../src/index.ts';
import { openApp } from '../src/root/index.ts';
import { startDashboard } from '../src/dashboard/server/index.ts';
import { report, type Figure } from './report.ts';

// The browser's globals that the page.evaluate callback uses (the project compiles without the DOM lib).
declare const performance: { now(): number; getEntriesByName(name: string): Array<{ startTime: number }> };
declare const PerformanceObserver: new (callback: (list: { getEntries(): Array<{ startTime: number }> }) => void) => { observe(options: { type: string; buffered: boolean }): void };

const FNS = 100;
const RUNS_PER_FN = 1000;
const DLQ_MESSAGES = 50_000;
const REQUESTS = 300;
const LOADS = 12;
const chromiumPath = '/usr/bin/chromium';

const dir = mkdtempSync(join(tmpdir(), 'baton-dashboard-bench-'));
const fns = Array.from({ length: FNS }, (_, i) => `fn-${String(i).padStart(3, '0')}`);
const spec = defineApp('dashboard-bench', [
  queue('work', { visibilityTimeout: '30s', deadLetter: { maxReceiveCount: 1 } }),
  // Never run: they name the runs' functions on the graph (the module is never loaded here).
  ...fns.map((name) => fn(name, './handler.ts', { timeout: '10s' })),
]);
const app = await openApp({ ...spec, root: dir }, { backend: 'local', local: { dir } });
await app.provision();
const { runs, queues } = app.backend;

// 1. The state. Runs: started and finished through the store, ~5% errors, spread over the last day.
const t0 = performance.now();
const now = Date.now();
for (let i = 0; i < FNS * RUNS_PER_FN; i++) {
  const fnName = fns[i % FNS]!;
  const run = await runs.start({ fn: fnName, trigger: 'queue:work', input: { Records: [{ messageId: `m-${i}`, body: `{"order":${i}}` }] }, startedAt: now - 86_400_000 + i * 800 });
  const error = i % 20 === 7;
  await runs.finish(run.id, { status: error ? 'error' : 'ok', durationMs: 20 + (i % 50), ...(error ? { error: { type: 'Error', message: `order ${i} refused`, stack: `Error: order ${i} refused\n    at handler (handler.ts:3:9)` } } : {}), logs: [{ time: now, level: 'info', message: `handled order ${i}` }] });
}
const tRuns = performance.now();
// DLQ: sent to `work`, received once and released with an error, so each moves with its source queue, attempts and last error.
for (let i = 0; i < DLQ_MESSAGES; i += 10) {
  await queues.sendBatch('work', Array.from({ length: 10 }, (_, j) => ({ body: JSON.stringify({ order: i + j, note: 'x'.repeat(200) }) })));
  const got = await queues.receive('work', { maxMessages: 10 });
  for (const m of got) await queues.release('work', m.receiptHandle, { error: new Error(`order ${JSON.parse(m.body).order} has no customer`) });
}
const tFill = performance.now();
const dlqStats = await queues.stats('work');
if (dlqStats.deadLettered !== DLQ_MESSAGES) throw new Error(`expected ${DLQ_MESSAGES} dead-lettered messages, found ${dlqStats.deadLettered}`);

const dash = await startDashboard(app, { port: 0 });
const base = dash.url.replace(/\/$/, '');

/** p50 and p95 of `n` sequential timings of `work`, after 20 warm-up calls. */
async function timings(n: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 20; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await work();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n / 2)]!, p95: times[Math.ceil(n * 0.95) - 1]! };
}

/**
 * GETs `path` and parses its JSON, on `agent`'s keep-alive connection (as a page reuses one). Each
 * timed series gets a fresh agent: the direct-store series between them block the event loop
 * (synchronous SQLite) long enough for the server's 5 s keep-alive timer to close an idle socket
 * just as the next request arrives on it.
 */
function api(agent: Agent, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Timings of `path` through HTTP on one fresh keep-alive connection. */
async function apiTimings(path: string): Promise<{ p50: number; p95: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await timings(REQUESTS, () => api(agent, path));
  } finally {
    agent.destroy();
  }
}

const figures: Figure[] = [];
const medians: string[] = [];
const deep = await runs.page({ limit: 500 });
const deepCursor = deep.next!;
const apiCases: Array<{ figure: string; path: string; direct: () => Promise<unknown> }> = [
  { figure: 'GET /api/runs (first page of 50) p95', path: '/api/runs?limit=50', direct: () => runs.page({ limit: 50 }) },
  { figure: 'GET /api/runs?fn&status=error p95', path: `/api/runs?fn=${fns[7]}&status=error&limit=50`, direct: () => runs.page({ fn: fns[7], status: 'error', limit: 50 }) },
  { figure: 'GET /api/runs 500 deep (cursor) p95', path: `/api/runs?limit=50&cursor=${encodeURIComponent(deepCursor)}`, direct: () => runs.page({ limit: 50, cursor: deepCursor }) },
  { figure: 'GET /api/queues/work-dlq/messages p95', path: '/api/queues/work-dlq/messages?limit=50', direct: () => dlqPage() },
];
for (const c of apiCases) {
  // Alternate (API, store) twice; the better of each counts (other processes share the 2 cores).
  const best = (x: { p50: number; p95: number }, y: { p50: number; p95: number }) => (x.p95 <= y.p95 ? x : y);
  const a = best(await apiTimings(c.path), await apiTimings(c.path));
  const b = best(await timings(REQUESTS, c.direct), await timings(REQUESTS, c.direct));
  figures.push({ bench: 'dashboard', figure: c.figure, value: a.p95, unit: 'ms', baseline: b.p95, goal: 'under 50 ms' });
  medians.push(`${c.figure.replace(' p95', '')}: p50 ${a.p50.toFixed(2)} ms through HTTP, ${b.p50.toFixed(2)} ms on the store`);
}

// GET /api/app against the same store calls made directly (what the handler's counts read).
{
  const hour = 3_600_000;
  const direct = () => {
    const t = Date.now();
    return Promise.all([
      ...app.spec.queues.map((q) => queues.stats(q.name)),
      runs.count({ since: t - 60_000 }),
      runs.count({ since: t - hour, status: 'error' }),
      runs.count({ since: t - hour, status: 'timeout' }),
      runs.count({ status: 'running' }),
    ]);
  };
  const better = (x: { p50: number; p95: number }, y: { p50: number; p95: number }) => (x.p95 <= y.p95 ? x : y);
  const a = better(await apiTimings('/api/app'), await apiTimings('/api/app'));
  const b = better(await timings(REQUESTS, direct), await timings(REQUESTS, direct));
  figures.push({ bench: 'dashboard', figure: 'api_app_p95_ms', value: a.p95, unit: 'ms', baseline: b.p95, goal: 'under 50 ms' });
  medians.push(`GET /api/app: p50 ${a.p50.toFixed(2)} ms through HTTP, ${b.p50.toFixed(2)} ms on the store; queues.stats of the DLQ's source queue alone: ${(await timings(50, () => queues.stats('work'))).p50.toFixed(2)} ms p50`);
}

/** The DLQ's first page straight from the store (what GET /api/queues/:dlq/messages reads underneath). */
function dlqPage(): Promise<unknown> {
  return queues.peek('work-dlq', { limit: 50 });
}

// 2. First paint in Chromium, against a static page of the same size on a plain server.
const notes: string[] = [];
if (existsSync(chromiumPath)) {
  const html = readFileSync(new URL('../src/dashboard/page/index.html', import.meta.url), 'utf8');
  const plain = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<link rel="(stylesheet|modulepreload)"[^>]*>/g, ''));
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'baton-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const fcp = async (url: string, drawn: boolean) => {
      const page = await context.newPage();
      await page.goto(url);
      if (drawn) await page.waitForSelector('[data-node="queue:work"] [data-count="dlqDepth"]');
      const t = await page.evaluate(async (d) => {
        const paint = await new Promise<number>((resolve) => {
          const e = performance.getEntriesByName('first-contentful-paint')[0];
          if (e) return resolve(e.startTime);
          new PerformanceObserver((l) => resolve(l.getEntries()[0]!.startTime)).observe({ type: 'paint', buffered: true });
        });
        return { paint, drawn: d ? performance.now() : 0 };
      }, drawn);
      await page.close();
      return t;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const page: number[] = [];
    const graph: number[] = [];
    const floor: number[] = [];
    await fcp(`${base}/#/app`, true);
    await fcp(plainUrl, false);
    for (let i = 0; i < LOADS; i++) {
      const d = await fcp(`${base}/#/app`, true);
      page.push(d.paint);
      graph.push(d.drawn);
      floor.push((await fcp(plainUrl, false)).paint);
    }
    figures.push({ bench: 'dashboard', figure: 'first contentful paint (median)', value: median(page), unit: 'ms', baseline: median(floor), goal: 'under 1,000 ms' });
    notes.push(`app graph drawn with counts (median of ${LOADS}, upper bound: measured after Playwright saw it): ${median(graph).toFixed(0)} ms; first paint p95-ish (max of ${LOADS}): ${Math.max(...page).toFixed(0)} ms`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    plain.close();
  }
} else {
  notes.push(`first paint not measured: ${chromiumPath} is missing (install Debian's chromium package)`);
}

// 3. Redrive of the whole DLQ (last: it empties the DLQ), against a plain SQL UPDATE of the same rows.
{
  const dryStart = performance.now();
  const dry = await queues.redrive('work-dlq', { dryRun: true });
  const dryMs = performance.now() - dryStart;
  const dead = (await queues.stats('work')).deadLettered;
  if (dry.messages.length !== DLQ_MESSAGES || dead !== DLQ_MESSAGES) throw new Error(`the dry run listed ${dry.messages.length} messages, expected ${DLQ_MESSAGES}`);
  const db = new Database(join(dir, 'state.db'));
  db.pragma('busy_timeout = 5000');
  const queueId = db.prepare<[string], number>('SELECT id FROM queues WHERE name = ?').pluck();
  const [work, dlq] = [queueId.get('work')!, queueId.get('work-dlq')!];
  // The floor: every row of `work` back into the DLQ as dead-lettered from it, one statement.
  const back = db.prepare<[number, string, number, number, number]>('UPDATE queue_messages SET queue_id = ?, source_queue = ?, visible_at = ?, enqueued_at = ? WHERE queue_id = ?');
  const redriveMs: number[] = [];
  const floorMs: number[] = [];
  for (let round = 0; round < 2; round++) {
    const s = performance.now();
    const result = await queues.redrive('work-dlq');
    redriveMs.push(performance.now() - s);
    if (result.moved !== DLQ_MESSAGES) throw new Error(`redrive moved ${result.moved} messages, expected ${DLQ_MESSAGES}`);
    const f = performance.now();
    const t = Date.now();
    const moved = db.transaction(() => back.run(dlq, 'work', t, t, work).changes).immediate();
    floorMs.push(performance.now() - f);
    if (moved !== DLQ_MESSAGES) throw new Error(`the floor moved ${moved} rows, expected ${DLQ_MESSAGES}`);
  }
  db.close();
  const per500 = (ms: number) => (ms / DLQ_MESSAGES) * 500;
  figures.push({ bench: 'dashboard', figure: 'redrive_ms_per_500', value: per500(Math.min(...redriveMs)), unit: 'ms', baseline: per500(Math.min(...floorMs)), goal: 'set-based: near the floor' });
  notes.push(`redrive of ${DLQ_MESSAGES.toLocaleString('en-US')} messages: ${redriveMs.map((m) => m.toFixed(0)).join(', ')} ms (dry run ${dryMs.toFixed(0)} ms); plain SQL UPDATE of the same rows ${floorMs.map((m) => m.toFixed(0)).join(', ')} ms`);
}

notes.unshift(...medians);
notes.unshift(`state: ${(FNS * RUNS_PER_FN).toLocaleString('en-US')} runs in ${((tRuns - t0) / 1000).toFixed(1)} s, ${DLQ_MESSAGES.toLocaleString('en-US')} dead-lettered messages in ${((tFill - tRuns) / 1000).toFixed(1)} s; ${REQUESTS} sequential requests per p95 after 20 warm-up, best of two`);
await dash.close();
await app.close();
rmSync(dir, { recursive: true, force: true });
report(figures, notes);
