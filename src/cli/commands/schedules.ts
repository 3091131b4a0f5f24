import type { Command } from 'commander';
import { nextFireTimes } from '../../core/schedule/index.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

export function registerSchedules(program: Command): void {
  program
    .command('schedules')
    .description('list schedules with their next fire times')
    .option('--count <n>', 'how many fire times to show', (v) => parseInt(v, 10), 3)
    .action(async (o: { count: number }, cmd: Command) => {
      await withSession(cmd, async ({ spec, backend, json }) => {
        const now = backend.clock.now();
        const rows = spec.schedules.map((s) => ({
          schedule: s.name,
          expression: s.source,
          timezone: s.timezone,
          target: s.target ? Object.entries(s.target).map(([k, v]) => `${k}:${String(v)}`).join('') : '-',
          next: nextFireTimes(s.expression, { after: now, timezone: s.timezone, count: o.count }).map((t) => new Date(t).toISOString()).join(json ? ',' : '  '),
        }));
        printRows(rows, json, 'no schedules declared');
      });
    });
}
