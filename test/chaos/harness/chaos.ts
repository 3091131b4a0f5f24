/**
 * The chaos loop: runs one example's engine, SIGKILLs it at random moments (seeded), restarts it,
 * and after the last kill lets a final engine settle the work; then the scenario checks the
 * example's own exactly-once and nothing-lost promises on the state the engines left.
 *
 *   prepare (no engine) -> life 1: start, ready, feed (the input, in the background), kill after a
 *   random life -> life 2..N: start, kill -> final life: start, wait until settled, SIGTERM -> check
 *
 * A life is drawn from the scenario's range; one in five is a long life (longer than the 30 s work
 * leases of streams and the bucket-event pump) so every stage of a pipeline, not only the first,
 * runs between kills. Kills land while work is in flight: handlers in worker threads die with the
 * engine, queue messages come back after their visibility timeout, leases after their ttl.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLocal, systemClock, type LocalBackend } from '../../../src/backends/local/index.ts';
import { paramsKey, startEngine, type EngineProcess } from './engine.ts';
import type { Rng } from './rng.ts';

export interface ChaosContext {
  /** The run's temp directory (the state is `state` under it; scenarios put their files here too). */
  dir: string;
  state: string;
  /** The harness's own view of the state (the same SQLite files the engines use). */
  backend: LocalBackend;
  rng: Rng;
  /** The seed that replays this run (CHAOS_SEED; the rng's own seed is derived from it per example). */
  seed: number;
  log(line: string): void;
  /** Starts an engine on this state with the scenario's config and env. */
  engine(name?: string): EngineProcess;
  /** The engines SIGKILLed so far: pid -> when (epoch ms). Work they began may rightly be done again after that. */
  killed: Map<number, number>;
}

/** What a scenario found once the engines settled. */
export interface Outcome {
  /** Records (rows, events, files, reports, deliveries) the example must end with. */
  expected: number;
  /** Records found, each counted once. */
  found: number;
  /** Records done more than once where the example promises once. */
  duplicates: number;
  /** Expected records not found. */
  lost: number;
  /** Every check of the example's own that did not hold (with the counts above, the verdict). */
  failures: string[];
  /** Counts worth printing (crash-dead-lettered messages redriven, redeliveries after a kill, ...). */
  notes?: Record<string, number | string>;
}

/** The short version's inputs (the examples' test sizes) or the full run's (larger, so every kill lands on work). */
export type Scale = 'short' | 'full';

export interface Scenario {
  name: string;
  /** The baton.config.ts the engine runs (`baton dev --config`). */
  config: string;
  /** Environment for the engines (and so their handlers). */
  env?(ctx: ChaosContext): Record<string, string>;
  /** Before the first engine: servers, generated input. */
  prepare?(ctx: ChaosContext): Promise<void>;
  /** Once the first engine runs (the app is provisioned): puts the input; runs while engines are killed. */
  feed(ctx: ChaosContext): Promise<void>;
  /** True when the example's work is done (polled in the final life; must hold twice in a row). */
  settled(ctx: ChaosContext): Promise<boolean>;
  /** What is still pending, for the error when the work does not settle. */
  pending?(ctx: ChaosContext): Promise<string>;
  /** What the operator does after settling, before the checks (redrive crash-dead-lettered messages); true when it did something and the work must settle again. */
  afterSettle?(ctx: ChaosContext): Promise<boolean>;
  check(ctx: ChaosContext): Promise<Outcome>;
  /** Engines on the state at once (a kill takes one of them, chosen at random, and restarts it). @defaultValue 1 */
  engines?: number;
  /** A life's range in ms after the engine is ready, [min, max]. */
  life: [number, number];
  /** How long the final engine may take to settle. */
  settleTimeoutMs: number;
  close?(): Promise<void>;
}

export interface ChaosReport extends Outcome {
  example: string;
  seed: number;
  kills: number;
  seconds: number;
  /** Each life's length in ms after ready, the kill moments (for a replay's log). */
  lives: number[];
}

/** Lives and kills of one example, then its checks. */
export async function runChaos(scenario: Scenario, opts: { kills: number; rng: Rng; seed?: number; log?: (line: string) => void; long?: boolean }): Promise<ChaosReport> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), `baton-chaos-${scenario.name}-`));
  const state = join(dir, 'state');
  const log = opts.log ?? (() => undefined);
  const backend = openLocal({ dir: state, clock: systemClock, paramsKey });
  const ctx: ChaosContext = {
    dir,
    state,
    backend,
    rng: opts.rng,
    seed: opts.seed ?? opts.rng.seed,
    log: (line) => log(`[${scenario.name}] ${line}`),
    engine: (name) => startEngine({ config: scenario.config, state, name: name ?? 'engine', env: scenario.env?.(ctx) ?? {} }),
    killed: new Map(),
  };
  const engines: EngineProcess[] = [];
  const width = scenario.engines ?? 1;
  const running: Array<EngineProcess | undefined> = Array.from({ length: width }, () => undefined);
  /** Starts the engines missing from `running` and waits until all run. */
  const fill = async (life: string) => {
    for (let i = 0; i < width; i++) {
      if (running[i]?.alive) continue;
      const e = ctx.engine(width > 1 ? `${String.fromCharCode(65 + i)}, ${life}` : life);
      running[i] = e;
      engines.push(e);
    }
    await Promise.all(running.map((e) => e!.ready));
  };
  const lives: number[] = [];
  let midWork = 0;
  let keep = Boolean(process.env['CHAOS_KEEP']);
  let feeding: Promise<void> | undefined;
  let feedError: unknown;
  try {
    await scenario.prepare?.(ctx);
    for (let k = 0; k < opts.kills; k++) {
      await fill(`life ${k + 1}`);
      if (!feeding) feeding = scenario.feed(ctx).catch((err: unknown) => void (feedError = err));
      // Never the first life: the input must still be in flight at the first kill.
      const long = (opts.long ?? true) && k > 0 && opts.rng.next() < 0.2;
      const life = long ? opts.rng.int(32_000, 40_000) : opts.rng.int(scenario.life[0], scenario.life[1]);
      lives.push(life);
      await sleep(life);
      const e = running[opts.rng.int(0, width - 1)]!;
      const at = Date.now();
      await e.kill();
      ctx.killed.set(e.pid, at);
      // Whether the kill hit unfinished work (the state, read after the kill, is not settled yet).
      const busy = !(await scenario.settled(ctx));
      if (busy) midWork++;
      ctx.log(`kill ${k + 1}/${opts.kills}: ${e.name} pid ${e.pid} after ${life} ms (ready in ${Math.round(e.readyMs ?? 0)} ms)${busy ? '' : ', the work was already done'}`);
    }
    await fill('final');
    feeding ??= scenario.feed(ctx).catch((err: unknown) => void (feedError = err));
    await feeding;
    if (feedError) throw feedError;
    await settle(ctx, scenario, running);
    while (await scenario.afterSettle?.(ctx)) await settle(ctx, scenario, running);
    await Promise.all(running.map((e) => e!.stop()));
    const outcome = await scenario.check(ctx);
    if (outcome.failures.length > 0) keep = true;
    return { example: scenario.name, seed: ctx.seed, kills: opts.kills, seconds: Math.round((performance.now() - t0) / 100) / 10, lives, ...outcome, notes: { 'kills mid-work': midWork, ...outcome.notes } };
  } catch (err) {
    keep = true;
    throw err;
  } finally {
    await Promise.all(engines.map((e) => e.kill()));
    await scenario.close?.();
    await backend.close();
    // A failed run's state stays for a look (baton --dir <state> runs, queues, ...).
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else log(`[${scenario.name}] state kept in ${dir}`);
  }
}

/** The runs that did not end ok (handler errors, timeouts, init failures), for a did-not-settle error. */
async function failedRuns(ctx: ChaosContext): Promise<string> {
  const bad = [...(await ctx.backend.runs.list({ status: 'error', limit: 1000 })), ...(await ctx.backend.runs.list({ status: 'timeout', limit: 1000 }))];
  if (bad.length === 0) return 'no failed run';
  const kinds = new Map<string, number>();
  for (const r of bad) {
    const k = `${r.fn} ${r.status} ${r.error?.type ?? ''}: ${(r.error?.message ?? '').slice(0, 120)}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return `${bad.length} failed runs: ${[...kinds].map(([k, n]) => `${n}x ${k}`).join(' | ')}`;
}

/** Polls the scenario's settled() until it holds twice in a row, 300 ms apart. */
export async function settle(ctx: ChaosContext, scenario: Pick<Scenario, 'name' | 'settled' | 'settleTimeoutMs' | 'pending'>, engines: ReadonlyArray<EngineProcess | undefined> = []): Promise<void> {
  const end = performance.now() + scenario.settleTimeoutMs;
  let calm = 0;
  while (calm < 2) {
    const dead = engines.find((e) => e && !e.alive);
    if (dead) throw new Error(`${scenario.name}: engine ${dead.name} ended while settling: ${dead.output()}`);
    if (performance.now() > end) throw new Error(`${scenario.name}: did not settle within ${scenario.settleTimeoutMs / 1000} s (${(await scenario.pending?.(ctx)) ?? 'no detail'}; ${await failedRuns(ctx)}; replay: CHAOS_SEED=${ctx.seed} CHAOS_ONLY=${scenario.name}); the engines' last output: ${engines.map((e) => e?.output().slice(-1500)).join('\n---\n')}`);
    await sleep(300);
    calm = (await scenario.settled(ctx)) ? calm + 1 : 0;
  }
}
