/**
 * `baton dev`: loads baton.config.ts, checks that every handler loads (check-handlers.ts), starts
 * the engine (every trigger, schedule, alarm and pump), streams handler log lines and failed runs
 * (dev-stream.ts: bounded), hot-reloads handlers and the config as they are saved (dev-reload.ts,
 * dev-runtime.ts), shows a live one-line summary every second (rewritten in place on a
 * terminal, a new line only when it changes otherwise, one JSON object per change with --json),
 * and on SIGINT or SIGTERM
 * shuts down gracefully: stop receiving, let in-flight work finish up to --deadline, hand back
 * the rest. A second signal exits at once (messages still in flight come back after their
 * visibility timeout, as after a crash).
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../../core/duration.ts';
import type { Engine } from '../../runtime/engine/index.ts';
import { describeOthers } from '../../runtime/engine/registry.ts';
import { formatSummary } from '../../runtime/engine/summary.ts';
import { startIngestion } from '../../data/firehose/ingestion.ts';
import { startDashboard } from '../../dashboard/server/index.ts';
import { describeDashboard, parsePort } from './dashboard.ts';
import { checkHandlers, handlerCheckError } from '../check-handlers.ts';
import { watchForReload } from '../dev-reload.ts';
import { DevRuntime } from '../dev-runtime.ts';
import { DevStream } from '../dev-stream.ts';
import { durationFlag } from '../flags.ts';
import { configFileName } from '../load-config.ts';
import { withSession } from '../session.ts';

interface DevOptions {
  deadline: number;
  port: number;
  dashboardPort?: number;
  dashboard: boolean;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      const force = () => {
        process.stderr.write('\nbaton dev: second signal, exiting now; in-flight messages come back after their visibility timeout.\n');
        process.exit(130);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Stdout shared by the summary and the streamed lines: on a terminal the summary stays the last line, redrawn under each streamed one. */
class Screen {
  private status = '';
  constructor(readonly tty: boolean) {}

  line(text: string): void {
    if (this.tty) process.stdout.write(`\r\x1b[K${text}\n${this.status}`);
    else console.log(text);
  }

  setStatus(text: string): void {
    this.status = text;
    process.stdout.write(`\r${text}\x1b[K`);
  }
}

async function showSummary(engine: Pick<DevRuntime, 'counters' | 'inFlight' | 'queueStats'>, json: boolean, screen: Screen, stream: DevStream, signal: AbortSignal): Promise<void> {
  let last = '';
  while (!signal.aborted) {
    stream.flush();
    const line = formatSummary({ counters: engine.counters, inFlight: engine.inFlight(), queues: await engine.queueStats() });
    if (screen.tty) screen.setStatus(`${new Date().toISOString().slice(11, 19)}  ${line}`);
    else if (line !== last) console.log(json ? JSON.stringify({ time: new Date().toISOString(), ...engine.counters, inFlight: engine.inFlight() }) : `${new Date().toISOString().slice(11, 19)}  ${line}`);
    last = line;
    await sleep(1000, undefined, { signal }).catch(() => undefined);
  }
  stream.flush();
  if (screen.tty) process.stdout.write('\n');
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run every trigger, schedule and alarm of the app until stopped (Ctrl-C), with a live summary')
    .option('--deadline <duration>', "on shutdown, how long in-flight work may finish before it is handed back, e.g. '10s', '1m'", durationFlag('--deadline'), 10_000)
    .option('--port <port>', 'port for firehose ingestion over HTTP on 127.0.0.1 (0: any free port)', (v) => parseInt(v, 10), 0)
    .option('--dashboard-port <port>', 'port of the dashboard on 127.0.0.1 (default 4747, or a free one when that is taken)', parsePort)
    .option('--no-dashboard', 'do not serve the dashboard')
    .action(async (o: DevOptions, cmd: Command) => {
      const deadlineMs = o.deadline;
      const screen = new Screen(Boolean(process.stdout.isTTY) && !cmd.optsWithGlobals<{ json?: boolean }>().json);
      // Handler log lines (the executor's onLog) and failed runs (the engine's run observer), bounded.
      const stream = new DevStream({ write: (line) => screen.line(line), json: cmd.optsWithGlobals<{ json?: boolean }>().json ?? false });
      // The engine provisions the app itself, on whichever backend --backend chose.
      await withSession(cmd, async ({ spec, app, json }) => {
        // Before anything is provisioned: a handler that cannot load would only dead-letter messages.
        const handlers = await checkHandlers(spec, app.executor);
        if (handlers.broken.length > 0) throw handlerCheckError(handlers.broken);
        for (const note of handlers.notes) process.stderr.write(`baton dev: note: ${note} (loaded again on its first invocation)\n`);
        // The engine and ingestion of the running config version; a saved config replaces them (dev-runtime.ts).
        const runtime = new DevRuntime({
          app,
          deadlineMs,
          port: o.port,
          observer: stream,
          onError: (where, err) => process.stderr.write(`\nbaton dev: ${where}: ${err instanceof Error ? err.message : String(err)}\n`),
        });
        const engine = await runtime.start();
        if (engine.others.length > 0) process.stderr.write(`baton dev: note: ${describeOthers(engine.others, Date.now())}\n`);
        const unregistered = engine.registryProblem();
        if (unregistered) process.stderr.write(`baton dev: note: ${unregistered}; another engine on this state would not be noticed.\n`);
        const { ingestion } = runtime;
        // Hot reload: a saved handler (or a file it imports) reloads its functions; a saved config is re-applied.
        const reload = watchForReload(runtime, resolve(cmd.optsWithGlobals<{ config?: string }>().config ?? configFileName), (text, line) =>
          json ? console.log(JSON.stringify({ time: new Date().toISOString(), ...line })) : screen.line(`${new Date().toISOString().slice(11, 19)} baton dev: ${text}`),
        );
        if (ingestion.url && !json) console.log(`baton dev: firehose ingestion at ${ingestion.url} (POST /firehose/<name>, or the Firehose JSON protocol)`);
        const dashboard = o.dashboard ? await startDashboard(app, { ...(o.dashboardPort !== undefined ? { port: o.dashboardPort } : {}), onError: (where, err) => process.stderr.write(`\nbaton dev: dashboard: ${where}: ${err instanceof Error ? err.message : String(err)}\n`) }) : undefined;
        if (dashboard && !json) for (const line of describeDashboard(dashboard)) console.log(`baton dev: ${line}`);
        // A saved config that is applied: the dashboard serves the new version and redraws open pages.
        if (dashboard) runtime.onApp((next) => dashboard.setApp(next));
        const counts = [`${spec.fns.length} function(s)`, `${spec.fns.reduce((n, f) => n + f.triggers.length, 0)} trigger(s)`, `${spec.schedules.length} schedule(s)`, `${spec.alarms.length} alarm(s)`];
        if (!json) console.log(`baton dev: app "${spec.name}" running (${counts.join(', ')}); Ctrl-C to stop.`);
        const summaryStop = new AbortController();
        const summary = showSummary(runtime, json, screen, stream, summaryStop.signal);
        const sig = await waitForSignal();
        summaryStop.abort();
        await summary;
        if (!json) console.log(`baton dev: ${sig}: stopping (in-flight work has ${formatDuration(deadlineMs)} to finish)...`);
        reload.close();
        await dashboard?.close();
        await runtime.stop();
        const final = formatSummary({ counters: runtime.counters, inFlight: runtime.inFlight(), queues: await runtime.queueStats() });
        if (json) console.log(JSON.stringify({ stopped: true, ...runtime.counters }));
        else console.log(`baton dev: stopped. ${final}`);
      }, { provision: false, open: { onLog: (fn, requestId, record) => stream.log(fn, requestId, record) } });
    });
}
