import type { Command } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import { NotFoundError } from '../../core/errors.ts';
import { printValue } from '../output.ts';
import { withSession } from '../session.ts';
import { formatLog } from './invoke.ts';

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("show a run's log lines and outcome")
    .argument('<run-id>', 'a run id from `baton runs`')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const run = await backend.runs.get(id);
        if (!run) throw new NotFoundError(`Run "${id}" does not exist (or was pruned by retention).`, { action: 'List runs with `baton runs` to find a run id.' });
        const logs = await backend.runs.logs(id);
        if (json) return printValue({ run, logs }, true);
        const took = run.durationMs === undefined ? '' : ` in ${formatDuration(run.durationMs)}`;
        console.log(`run ${run.id}  fn ${run.fn}  trigger ${run.trigger}  attempt ${run.attempt}  ${run.status}${took}`);
        if (run.recordIds.length) console.log(`records: ${run.recordIds.join(', ')}`);
        if (run.input !== undefined) console.log(`input: ${run.input}`);
        for (const l of logs) console.log(formatLog(l));
        if (logs.length === 0) console.log('(no log lines)');
        if (run.error) console.log(run.error.stack ?? `${run.error.type}: ${run.error.message}`);
      });
    });
}
