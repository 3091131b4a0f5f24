/**
 * `baton dashboard [--port P] [--host H]`: serves the dashboard (src/dashboard) on an existing
 * state (the global --config, --dir, --backend) without running the engine: it shows what `baton
 * dev` or a deployment is doing and steers it (redrive, retry, cancel). Stops on Ctrl-C.
 */
import type { Command } from 'commander';
import { defaults } from '../../core/defaults.ts';
import { ValidationError } from '../../core/errors.ts';
import { startDashboard, type DashboardServer } from '../../dashboard/server/index.ts';
import { withSession } from '../session.ts';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new ValidationError(`--port ${JSON.stringify(v)} must be a whole number from 0 to 65535 (0: any free port).`);
  return n;
}

/** The lines `baton dashboard` and `baton dev` print about a started dashboard. */
export function describeDashboard(d: DashboardServer): string[] {
  const lines = [`dashboard at ${d.url}`];
  if (d.portInUse !== undefined) lines.push(`(port ${d.portInUse} was in use; serving on ${d.port} instead — pass --port to choose)`);
  if (d.token !== undefined) lines.push(`bound to ${d.host}: requests need the token (in the URL above; Authorization: Bearer <token> for scripts)`);
  return lines;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve the dashboard (runs, queues, DLQs, jobs, maps, schedules, params, tables, lake) on the existing state, without running the engine')
    .option('--port <port>', `port (default ${defaults.dashboard.port}, or a free one when that is taken; 0: any free port)`, parsePort)
    .option('--host <host>', `address to bind (default ${defaults.dashboard.host}; any other needs the token, $${defaults.dashboard.tokenEnv} or generated)`)
    .action(async (o: { port?: number; host?: string }, cmd: Command) => {
      await withSession(
        cmd,
        async ({ app, json }) => {
          const dash = await startDashboard(app, {
            ...(o.port !== undefined ? { port: o.port } : {}),
            ...(o.host !== undefined ? { host: o.host } : {}),
            onError: (where, err) => process.stderr.write(`baton dashboard: ${where}: ${err instanceof Error ? err.message : String(err)}\n`),
          });
          if (json) console.log(JSON.stringify({ url: dash.url, host: dash.host, port: dash.port, ...(dash.portInUse !== undefined ? { portInUse: dash.portInUse } : {}) }));
          else for (const line of [...describeDashboard(dash), 'Ctrl-C to stop.']) console.log(`baton dashboard: ${line}`);
          await untilSignal();
          await dash.close();
        },
        { provision: false },
      );
    });
}
