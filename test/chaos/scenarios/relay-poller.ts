/**
 * relay-poller under chaos: three reports put at once, each relayed through async invokes by its
 * own chain (the example's config as written: a 1 s limit, 20 relays); engines are killed while
 * links poll, relay and notify. The example's own promises are checked as its demo does: exactly
 * one notification per report, one ETL job per report (its idempotency key), the two normal jobs
 * complete within the budget, and the long one (here 100 times the limit and more) fails on its
 * budget after exactly 21 invocations and is cancelled, not left running.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtlServer, type EtlServer } from '../../../examples/relay-poller/etl-server.ts';
import type { Scale, Scenario } from '../harness/chaos.ts';
import { queuesEmpty } from './queues.ts';

interface Notification {
  status: 'complete' | 'failed';
  report: string;
  jobId: string;
  invocations: number;
  reason?: string;
}

const maxRetries = 20;
// The example's full size: a 1 s limit, jobs of 100 rows take ten times it. The long report is
// far longer than any chaos run (a kill's async lease alone costs a minute), so it can only end on
// its budget, as in the demo.
const msPerRow = 100;
const reports = { 'reports/2026-11-25/sales.json': 100, 'reports/2026-11-25/stock.json': 100, 'reports/2026-11-25/ledger-full.json': 100_000 };
const complete = ['reports/2026-11-25/sales.json', 'reports/2026-11-25/stock.json'];
const long = 'reports/2026-11-25/ledger-full.json';

/** The same size at both scales: its chains already span every kill (each relay link is a second, a kill's async lease a minute). */
export function relayPoller(_scale: Scale = 'short'): Scenario {
  let etl: EtlServer | undefined;
  let outbox = '';
  const notifications = () =>
    existsSync(outbox)
      ? readFileSync(outbox, 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse((JSON.parse(l) as { Message: string }).Message) as Notification)
      : [];
  return {
    name: 'relay-poller',
    config: fileURLToPath(new URL('../fixtures/relay-poller.config.ts', import.meta.url)),
    env: () => ({ CHAOS_ETL_URL: etl!.url }),
    life: [1500, 9000],
    settleTimeoutMs: 300_000,
    async prepare(ctx) {
      etl = await startEtlServer({ msPerRow });
      outbox = join(ctx.state, 'notifications.jsonl');
    },
    async feed({ backend }) {
      const report = (n: number) => JSON.stringify({ rows: Array.from({ length: n }, (_, i) => ({ line: i, amount: (i % 7) + 1 })) });
      await Promise.all(Object.entries(reports).map(([key, n]) => backend.objects.put('reports', key, report(n), { contentType: 'application/json' })));
    },
    async settled({ backend }) {
      return notifications().length >= 3 && (await queuesEmpty(backend, ['baton-async']));
    },
    async check({ backend }) {
      const failures: string[] = [];
      const seen = notifications();
      const by = new Map<string, Notification[]>();
      for (const n of seen) by.set(n.report, [...(by.get(n.report) ?? []), n]);
      const expect = (what: string, ok: boolean, detail?: string) => {
        if (!ok) failures.push(detail ? `${what} (${detail})` : what);
      };
      expect('one ETL job per report', etl!.jobs.size === 3, `${etl!.jobs.size} jobs`);
      for (const key of Object.keys(reports)) {
        const mine = by.get(key) ?? [];
        expect(`${key}: one notification`, mine.length === 1, `${mine.length}: ${JSON.stringify(mine)}`);
        const n = mine[0];
        const job = n ? etl!.jobs.get(n.jobId) : undefined;
        expect(`${key}: its notification names its own job`, job?.report === key, `${n?.jobId} is ${job?.report}`);
        if (complete.includes(key)) {
          expect(`${key}: complete within the budget`, n?.status === 'complete' && n.invocations >= 1 && n.invocations <= maxRetries + 1, JSON.stringify(n));
          expect(`${key}: the job really completed`, !!job && etl!.statusOf(job) === 'complete');
        }
      }
      const big = by.get(long)?.[0];
      const bigJob = big ? etl!.jobs.get(big.jobId) : undefined;
      expect('the long job fails on its retries budget after 21 invocations', big?.status === 'failed' && big.invocations === maxRetries + 1 && /retries budget exhausted/.test(big.reason ?? ''), JSON.stringify(big));
      expect('the long job is cancelled, not left running', !!bigJob && etl!.statusOf(bigJob) === 'cancelled');
      const runs = await backend.runs.list({ fn: 'run-etl', limit: 1000 });
      const distinct = [...by.keys()].filter((k) => k in reports).length;
      return {
        expected: 3,
        found: distinct,
        duplicates: seen.length - distinct,
        lost: 3 - distinct,
        failures,
        notes: { 'ETL jobs': etl!.jobs.size, 'run-etl runs': runs.length, timeouts: runs.filter((r) => r.status === 'timeout').length, invocations: Object.keys(reports).map((k) => by.get(k)?.[0]?.invocations ?? 0).join('+') },
      };
    },
    async close() {
      await etl?.close();
    },
  };
}
