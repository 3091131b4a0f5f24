// The relay-poller demo (seed 002): starts the mock ETL service, runs baton.config.ts's functions
// and triggers on the embedded backend (as `baton dev` would), puts three reports at once, and
// checks that each ran as its own chain of relays: two jobs about ten times the function's limit
// complete with one notification each, and a job too long for the retries budget is cancelled with
// a failure notification.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal } from '../../src/backends/local/index.ts';
import { checks, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import { createRoutingExecutor } from '../../src/runtime/container/index.ts';
import { startEngine } from '../../src/runtime/engine/index.ts';
import config from './baton.config.ts';
import { startEtlServer } from './etl-server.ts';

interface Notification {
  status: 'complete' | 'failed';
  report: string;
  jobId: string;
  invocations: number;
  reason?: string;
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  // Full size: a 1 s limit and 10 s jobs. Small (tests): a 400 ms limit and 4 s jobs. Either way a
  // job takes ten times the limit, and the budget (20 relays: 21 invocations, each polling for at
  // least limit - margin) covers at least 13x the limit.
  const limitMs = ctx.small ? 400 : 1000;
  const marginMs = ctx.small ? 150 : 300;
  const maxRetries = 20;
  const rows = 100;
  const msPerRow = (limitMs * 10) / rows;

  const etl = await startEtlServer({ msPerRow });
  // The config as written, pointed at this run's mock server and sized; handler modules resolve
  // against the config's folder, as `baton dev` loads it.
  const root = dirname(fileURLToPath(import.meta.url));
  const spec = {
    ...config,
    root,
    fns: config.fns.map((f) => ({
      ...f,
      timeoutMs: limitMs,
      env: { ...f.env, ETL_URL: etl.url, MAX_RETRIES: String(maxRetries), TIMEOUT_MARGIN_MS: String(marginMs), POLL_INTERVAL_MS: String(ctx.small ? 50 : 100) },
    })),
  };
  const backend = openLocal({ dir: ctx.dir });
  // The engine's executor, but with room for cold starts: on a busy 2-core machine, three workers
  // loading TypeScript at once can take longer than Lambda's 10 s init limit (not the point here).
  const executor = createRoutingExecutor({ root, baseEnv: { ...process.env, ...backend.handlerEnv }, initTimeoutMs: 60_000 });
  // Enough async drainers that three chains relay side by side; a failed link is retried soon.
  const engine = await startEngine({ backend, spec, executor, closeExecutor: true, settings: { asyncDrainers: 4 }, asyncRetryBaseMs: 500, onError: (where, err) => check.expect(`no engine error (${where})`, false, String(err)) });
  const outbox = join(ctx.dir, 'notifications.jsonl');
  const notifications = () =>
    existsSync(outbox)
      ? readFileSync(outbox, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse((JSON.parse(l) as { Message: string }).Message) as Notification)
      : [];
  const started = Date.now();
  try {
    // 1. Two reports of a normal size and one ten times bigger, put at once.
    const report = (n: number) => JSON.stringify({ rows: Array.from({ length: n }, (_, i) => ({ line: i, amount: (i % 7) + 1 })) });
    const reports = { 'reports/2026-11-25/sales.json': rows, 'reports/2026-11-25/stock.json': rows, 'reports/2026-11-25/ledger-full.json': rows * 10 };
    await Promise.all(Object.entries(reports).map(([key, n]) => backend.objects.put('reports', key, report(n), { contentType: 'application/json' })));
    await backend.objects.put('reports', 'notes/readme.txt', 'not a report: no event (prefix and suffix filters)');
    ctx.log(`put 3 reports at once (jobs of ${(rows * msPerRow) / 1000}s, ${(rows * msPerRow) / 1000}s and ${(rows * 10 * msPerRow) / 1000}s; function limit ${limitMs} ms, ${maxRetries} relays allowed)`);

    // 2. Each chain polls and relays until its job completes or its budget runs out.
    // (Generous: cold starts of the function's workers take seconds on a busy machine.)
    await until('three notifications', () => notifications().length >= 3, 60_000);
    await new Promise((r) => setTimeout(r, 300)); // a fourth (duplicate) notification would show here
    const seen = notifications();
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const by = new Map(seen.map((n) => [n.report, n]));
    check.expect('exactly three notifications', seen.length === 3, `${seen.length}: ${JSON.stringify(seen)}`);
    check.expect('one notification per report', by.size === 3, [...by.keys()].join(', '));

    // 3. No cross-talk: one job per report, and each notification names its report's own job.
    check.expect('one ETL job per report', etl.jobs.size === 3, `${etl.jobs.size} jobs`);
    for (const [key] of Object.entries(reports)) {
      const n = by.get(key);
      const job = n ? etl.jobs.get(n.jobId) : undefined;
      check.expect(`${key}: its notification names its own job`, job?.report === key, `${n?.jobId} is ${job?.report}`);
    }
    const done = ['reports/2026-11-25/sales.json', 'reports/2026-11-25/stock.json'].map((k) => by.get(k));
    for (const n of done) {
      check.expect(`${n?.report}: complete`, n?.status === 'complete', JSON.stringify(n));
      check.expect(`${n?.report}: relayed several times within the budget`, !!n && n.invocations >= 5 && n.invocations <= maxRetries + 1, `${n?.invocations} invocations`);
      const job = n ? etl.jobs.get(n.jobId) : undefined;
      check.expect(`${n?.report}: the job really completed`, !!job && etl.statusOf(job) === 'complete');
    }
    const big = by.get('reports/2026-11-25/ledger-full.json');
    const bigJob = big ? etl.jobs.get(big.jobId) : undefined;
    check.expect('the long job fails on its retries budget', big?.status === 'failed' && big.invocations === maxRetries + 1 && /retries budget exhausted/.test(big.reason ?? ''), JSON.stringify(big));
    check.expect('the long job is cancelled, not left running', !!bigJob && etl.statusOf(bigJob) === 'cancelled');

    // 4. Every invocation is a run. A link relays before its limit; one that still times out (a
    //    stalled machine) is retried by the async invoke with the same state, so it only costs time:
    //    it is counted in the summary, and the outcome checks above are what must hold.
    const runs = await backend.runs.list({ fn: 'run-etl', limit: 1000 });
    const invocations = seen.reduce((s, n) => s + n.invocations, 0);
    const timedOut = runs.filter((r) => r.status === 'timeout').length;
    const failed = runs.filter((r) => r.status === 'error');
    check.expect('no handler error', failed.length === 0, failed.map((r) => r.error?.message ?? '').join('; '));
    check.expect('one run per invocation, and a retry per run that timed out', runs.length === invocations + timedOut, `${runs.length} runs, ${invocations} invocations, ${timedOut} timed out`);
    ctx.log(`${done.map((n) => `${n?.report} complete after ${n?.invocations} invocations`).join('; ')}; ${big?.report} failed after ${big?.invocations} (${big?.reason})`);
    ctx.log(`ETL service: ${etl.requests.start} starts, ${etl.requests.status} status polls, ${etl.requests.cancel} cancel; ${runs.length} runs (${timedOut} timed out) in ${elapsed}s`);
    const complete = seen.filter((n) => n.status === 'complete').length;
    return {
      summary: `${etl.jobs.size} jobs, ${complete} complete, ${seen.length - complete} failed on budget, ${invocations} invocations (${Object.keys(reports).map((k) => by.get(k)?.invocations ?? 0).join('+')}), ${seen.length} notifications${timedOut ? `, ${timedOut} runs timed out and retried` : ''}`,
      failures: check.failures,
    };
  } finally {
    await engine.stop({ deadlineMs: 5000 });
    await backend.close();
    await etl.close();
  }
}
