import type { Command } from 'commander';
import { readScheduleState } from '../../runtime/triggers/schedule.ts';
import { upcomingTicks } from '../../runtime/triggers/schedule-plan.ts';
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
        const states = await Promise.all(spec.schedules.map((s) => readScheduleState(backend.params, s.name)));
        const rows = spec.schedules.map((s, i) => ({
          schedule: s.name,
          expression: s.source,
          timezone: s.timezone,
          target: s.target ? Object.entries(s.target).map(([k, v]) => `${k}:${String(v)}`).join('') : '-',
          // rate() ticks count from the schedule's anchor (when an engine first registered it), as the engine fires them.
          next: upcomingTicks(s, now, o.count, states[i]).map((t) => new Date(t).toISOString()).join(json ? ',' : '  '),
        }));
        printRows(rows, json, 'no schedules declared');
      });
    });
}
