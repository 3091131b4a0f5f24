// The paginated-api demo (seed 000): starts the mock API, runs baton.config.ts on the embedded
// backend with the schedule on a fake clock (20 minutes pass in an instant; the function's time
// limit is real), and checks the outcome: the pull needs more than one tick, each tick resumes at
// the cursor, the cursor goes back to 0, later ticks make no API calls, every page is stored as
// JSON and XML, and SQL over the loaded table counts every element exactly once.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../src/data/catalog/index.ts';
import { query } from '../../src/data/query.ts';
import type { Backend } from '../../src/ports/backend.ts';
import { checks, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import { openApp } from '../../src/root/open-app.ts';
import config from './baton.config.ts';
import type { PullResult } from './handlers/pull-elements.ts';
import { startMockApi } from './mock-api.ts';

// Handler modules resolve against the config's folder, as `baton dev` loads it.
const spec = { ...config, root: dirname(fileURLToPath(import.meta.url)) };

const TOTAL = 600;
const PAGE = 20;
const MIN = 60_000;

/**
 * Waits (real time) until `get` gives a value. With `clock`, nudges it 100 ms a step while a loop
 * sleeps on it: a message sent by a handler's own connection (a worker thread) does not wake the
 * engine's long poll, which then looks again after its poll interval on the clock.
 */
async function until<T>(what: string, get: () => Promise<T | undefined>, clock?: FakeClock, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    if (clock && clock.pending > 0) await clock.advance(100);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pull-elements runs so far, oldest first, once none is still running. */
async function settledRuns(backend: Backend, atLeast: number): Promise<PullResult[] | undefined> {
  const runs = (await backend.runs.list({ fn: 'pull-elements', limit: 1000 })).reverse();
  if (runs.length < atLeast || runs.some((r) => r.status === 'running')) return undefined;
  const results: PullResult[] = [];
  for (const run of runs) {
    if (run.status !== 'ok') throw new Error(`pull-elements run ${run.id} ended ${run.status}: ${run.error?.message ?? ''}`);
    const line = (await backend.runs.logs(run.id)).find((l) => l.message.includes('pull-result '));
    if (!line) throw new Error(`pull-elements run ${run.id} logged no pull-result line`);
    results.push(JSON.parse(line.message.slice(line.message.indexOf('pull-result ') + 'pull-result '.length)) as PullResult);
  }
  return results;
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  const days = ctx.small ? ['2026-03-02'] : ['2026-03-02', '2026-03-03'];
  const clock = new FakeClock(Date.parse(`${days[0]}T05:50:00Z`));
  // About 95 ms a page: in the 3 s limit less the 1 s stop margin, a run gets through ~400 elements.
  const api = await startMockApi({ total: TOTAL, pageSize: PAGE, latencyMs: 90 });
  // The backend keeps real time (queue polls, leases); the engine's schedules run on the fake clock.
  const app = await openApp(spec, { local: { dir: ctx.dir } });
  const { backend } = app;
  const engine = await app.startEngine({ closeExecutor: true, clock, onError: (where, err) => check.expect(`no engine error (${where})`, false, String(err)) });
  try {
    await backend.params.put('/paginated-api/api-url', { value: api.url, overwrite: true });
    // The schedule registers (its durable state, anchored at the clock's now) before time moves.
    await until('the schedule to register', async () => ((await backend.params.find('/baton/schedules/morning-pull')) && clock.pending > 0 ? true : undefined));
    const catalog = await Catalog.open(backend.objects);
    let results: PullResult[] = [];
    const perDay: string[] = [];

    for (const day of days) {
      const requestsBefore = api.requests;
      const dayStart = Date.parse(`${day}T00:00:00Z`);
      // 1. The schedule fires at 06:00, 06:20, ... 08:40; each tick is one run of pull-elements.
      const ticks: PullResult[] = [];
      const requestsAfter: number[] = [];
      for (let m = 6 * 60; m < 9 * 60; m += 20) {
        await clock.set(dayStart + m * MIN);
        results = await until(`the ${day} ${String(m / 60 | 0).padStart(2, '0')}:${String(m % 60).padStart(2, '0')} tick`, () => settledRuns(backend, results.length + 1));
        const tick = results.at(-1)!;
        ticks.push(tick);
        requestsAfter.push(api.requests - requestsBefore);
        ctx.log(`${day} ${new Date(clock.now()).toISOString().slice(11, 16)} ${tick.outcome}${tick.pages ? `: elements ${tick.from} -> ${tick.to} (${tick.pages} pages)` : ', no API call'}`);
      }
      // 2. Nothing fires after the window: the schedule's last tick is 08:40.
      await clock.set(dayStart + 12 * 60 * MIN);
      await new Promise((r) => setTimeout(r, 200));
      check.expect(`${day}: no tick after 08:40`, (await backend.runs.list({ fn: 'pull-elements', limit: 1000 })).length === results.length);

      const working = ticks.filter((t) => t.pages > 0);
      const last = ticks.findIndex((t) => t.outcome === 'finished');
      check.expect(`${day}: the first tick stops for the time limit part-way`, ticks[0]?.outcome === 'stopped-for-time' && ticks[0].from === 0 && ticks[0].to > 0 && ticks[0].to < TOTAL, JSON.stringify(ticks[0]));
      check.expect(`${day}: each tick resumes at the cursor the last one stored`, working.every((t, i) => t.from === (i === 0 ? 0 : working[i - 1]!.to)), JSON.stringify(working));
      check.expect(`${day}: the pull finishes within the window`, last > 0 && ticks[last]!.to === TOTAL, JSON.stringify(ticks));
      check.expect(`${day}: every later tick makes no API call`, ticks.slice(last + 1).every((t) => t.outcome === 'done-today' && t.pages === 0) && requestsAfter.slice(last).every((n) => n === TOTAL / PAGE), JSON.stringify(requestsAfter));
      const offsets = api.offsets.slice(requestsBefore);
      check.expect(`${day}: each page requested once, in order`, offsets.length === TOTAL / PAGE && offsets.every((o, i) => o === i * PAGE), offsets.join(','));
      check.expect(`${day}: the cursor is back to 0 and done-on is the day`, (await backend.params.get('/paginated-api/cursor')).value === '0' && (await backend.params.get('/paginated-api/done-on')).value === day);

      // 3. Every page is in the bucket as JSON and as XML.
      const listed = await backend.objects.list('api-raw', { prefix: `raw/dt=${day}/` });
      const json = listed.objects.filter((o) => o.key.endsWith('.json') && !o.key.endsWith('_manifest.json'));
      const xml = listed.objects.filter((o) => o.key.endsWith('.xml'));
      let xmlElements = 0;
      for (const o of xml) xmlElements += ((await backend.objects.get('api-raw', o.key)).body.toString('utf8').match(/<element>/g) ?? []).length;
      check.expect(`${day}: one JSON and one XML object per page`, json.length === TOTAL / PAGE && xml.length === TOTAL / PAGE, `${json.length} JSON, ${xml.length} XML`);
      check.expect(`${day}: the XML objects hold every element`, xmlElements === TOTAL, `${xmlElements}`);

      // 4. The manifest's event went through the queue to load-elements: the day is a table partition.
      await until(`${day} loaded into the elements table`, async () => ((await catalog.partitions('elements').catch(() => [])).some((p) => p.values['dt'] === day) ? true : undefined));
      perDay.push(`${working.map((t) => `${t.from}->${t.to}`).join(', ')} in ${working.length} ticks`);
      ctx.log(`${day}: ${api.requests - requestsBefore} API requests, ${json.length} JSON + ${xml.length} XML objects, loaded into table elements`);
    }

    // 5. SQL over the catalog: every element once per day.
    const sql = 'SELECT count(*) AS n, count(DISTINCT (dt, id)) AS distinct_n, count(DISTINCT dt) AS days, min(id) AS min_id, max(id) AS max_id FROM elements';
    const [row] = (await query(catalog, sql)).rows;
    ctx.log(`${sql} -> ${JSON.stringify(row)}`);
    const rows = Number(row?.['n']);
    check.expect('the table holds every element exactly once per day', rows === TOTAL * days.length && Number(row?.['distinct_n']) === rows && Number(row?.['days']) === days.length && Number(row?.['min_id']) === 1 && Number(row?.['max_id']) === TOTAL, JSON.stringify(row));
    const loads = await backend.runs.list({ fn: 'load-elements', limit: 100 });
    check.expect('every load ran once and ended ok', loads.length === days.length && loads.every((r) => r.status === 'ok'), loads.map((r) => r.status).join(','));

    return {
      summary: `${rows} rows in table elements (${days.length} day${days.length > 1 ? 's' : ''} x ${TOTAL}, no duplicates), pulled ${perDay.join('; ')}, ${api.requests} API requests, ${results.filter((r) => r.pages === 0).length} later ticks made no call`,
      failures: check.failures,
    };
  } finally {
    await engine.stop({ deadlineMs: 5000 });
    await app.close();
    await api.close();
  }
}
