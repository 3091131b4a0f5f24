import type { Command } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import type { RunStatus } from '../../ports/runs.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`--limit ${JSON.stringify(v)} must be a whole number of at least 1.`);
  return n;
}

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list recent runs (invocations), newest first')
    .option('--fn <name>', 'only this function')
    .option('--status <status>', 'running | ok | error | timeout')
    .option('--trigger <trigger>', "only this trigger, e.g. 'invoke', 'async', 'queue:orders'")
    .option('--limit <n>', 'at most n runs', positiveInt, 20)
    .action(async (o: { fn?: string; status?: RunStatus; trigger?: string; limit: number }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const runs = await backend.runs.list({ limit: o.limit, ...(o.fn ? { fn: o.fn } : {}), ...(o.status ? { status: o.status } : {}), ...(o.trigger ? { trigger: o.trigger } : {}) });
        if (json) return printRows(runs as unknown as Array<Record<string, unknown>>, true);
        printRows(
          runs.map((r) => ({
            id: r.id,
            fn: r.fn,
            trigger: r.trigger,
            attempt: r.attempt,
            status: r.status,
            started: new Date(r.startedAt).toISOString(),
            duration: r.durationMs === undefined ? undefined : formatDuration(r.durationMs),
            records: r.recordIds.length || undefined,
            error: r.error ? cut(`${r.error.type}: ${r.error.message}`, 80) : undefined,
          })),
          false,
          'no runs',
        );
      });
    });
}

function cut(s: string, max: number): string {
  const line = s.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
