/**
 * The chaos suite, shared by `npm run chaos` (examples.chaos.test.ts: every example, 6 kills each
 * by default) and its short version in the normal test run (short.test.ts: 2 kills each, short
 * lives, the examples side by side). Environment:
 *   CHAOS_SEED=<n>     replay a run (every run prints its seed; each example derives its own from it)
 *   CHAOS_KILLS=<n>    kills per example
 *   CHAOS_ONLY=a,b     only these examples (csv-pipeline, fanout, relay-poller, clickstream, two-engines)
 *   CHAOS_KEEP=1       keep every example's state directory (a failed one is always kept; the path is printed)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos, type ChaosReport, type Scale, type Scenario } from './harness/chaos.ts';
import { killAll } from './harness/engine.ts';
import { formatTable, jsonLine } from './harness/report.ts';
import { deriveSeed, rng, seedFromEnv } from './harness/rng.ts';
import { clickstream } from './scenarios/clickstream.ts';
import { csvPipeline } from './scenarios/csv-pipeline.ts';
import { fanout } from './scenarios/fanout.ts';
import { relayPoller } from './scenarios/relay-poller.ts';
import { twoEngines } from './scenarios/two-engines.ts';

export const scenarios: Record<string, (scale: Scale) => Scenario> = {
  'csv-pipeline': csvPipeline,
  fanout,
  'relay-poller': relayPoller,
  clickstream,
  'two-engines': twoEngines,
};

export interface SuiteOptions {
  kills: number;
  /** The inputs' size (Scale). */
  scale: Scale;
  /** Run the examples side by side (the short version: the waits are leases expiring, not work). */
  parallel?: boolean;
  /** Lives in ms after ready, overriding each scenario's; `long: false` leaves out the lives longer than a lease. */
  life?: [number, number];
  long?: boolean;
  /** The examples run when CHAOS_ONLY is not set. @defaultValue all */
  examples?: string[];
  /** What runs this suite again, for a failure's replay line. */
  command: string;
  /** Per test (an example, or all of them side by side). */
  timeoutMs: number;
}

export function chaosSuite(name: string, options: SuiteOptions): void {
  const seed = seedFromEnv();
  const kills = process.env['CHAOS_KILLS'] ? Number(process.env['CHAOS_KILLS']) : options.kills;
  const only = process.env['CHAOS_ONLY']?.split(',').filter(Boolean);
  for (const o of only ?? []) if (!scenarios[o]) throw new Error(`CHAOS_ONLY=${process.env['CHAOS_ONLY']}: no example "${o}"; the examples are ${Object.keys(scenarios).join(', ')}.`);
  const names = Object.keys(scenarios).filter((n) => (only ?? options.examples ?? [n]).includes(n));
  const reports: ChaosReport[] = [];
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

  const run = async (example: string): Promise<ChaosReport> => {
    const scenario = scenarios[example]!(options.scale);
    if (options.life) scenario.life = options.life;
    const report = await runChaos(scenario, { kills, rng: rng(deriveSeed(seed, example)), seed, log, long: options.long ?? true });
    reports.push(report);
    return report;
  };
  const verdict = (r: ChaosReport) => {
    expect(r.failures, `${r.example} (CHAOS_SEED=${seed} CHAOS_ONLY=${r.example} CHAOS_KILLS=${kills})`).toEqual([]);
    expect({ duplicates: r.duplicates, lost: r.lost, found: r.found }).toEqual({ duplicates: 0, lost: 0, found: r.expected });
  };

  describe(`${name} (seed ${seed}, ${kills} kills per example)`, () => {
    process.stderr.write(`chaos: seed ${seed} (replay with CHAOS_SEED=${seed}), ${kills} kills per example: ${names.join(', ')}\n`);
    afterAll(async () => {
      await killAll();
      if (reports.length === 0) return;
      const order = (r: ChaosReport) => names.indexOf(r.example);
      const sorted = [...reports].sort((a, b) => order(a) - order(b));
      console.log(`\n${formatTable(sorted, options.command)}\n${sorted.map(jsonLine).join('\n')}`);
    });
    if (options.parallel) {
      it(`SIGKILLs the engine ${kills} times during ${names.join(', ')} side by side; nothing lost, nothing doubled`, async () => {
        const results = await Promise.allSettled(names.map(run));
        for (const r of results) if (r.status === 'rejected') throw r.reason;
        for (const r of results) if (r.status === 'fulfilled') verdict(r.value);
      }, options.timeoutMs);
    } else {
      for (const example of names) {
        it(`${example}: SIGKILLs the engine ${kills} times; the example's exactly-once and nothing-lost checks hold`, async () => verdict(await run(example)), options.timeoutMs);
      }
    }
  });
}
