import type { Command } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import { isInternalQueue } from '../../core/internal-names.ts';
import { durationFlag, wholeFlag } from '../flags.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

export function registerQueues(program: Command): void {
  program
    .command('queues')
    .description('list queues with depth, in-flight, DLQ depth and oldest message age')
    .option('--all', "also Baton's own queues (baton-async, baton-events, baton-topic-*, ...)")
    .action(async (o: { all?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const rows = [];
        for (const q of await backend.queues.list()) {
          if (!o.all && isInternalQueue(q.name)) continue;
          const s = await backend.queues.stats(q.name);
          rows.push({
            queue: q.name,
            visible: s.visible,
            inFlight: s.inFlight,
            delayed: s.delayed,
            dlq: q.deadLetter?.queue,
            dlqDepth: s.deadLettered,
            oldest: json ? s.oldestAgeMs : s.oldestAgeMs ? formatDuration(s.oldestAgeMs) : '-',
          });
        }
        printRows(rows, json, 'no queues declared');
      });
    });

  program
    .command('send')
    .description('send a message to a queue')
    .argument('<queue>')
    .argument('<body>')
    .option('--delay <duration>', "hide the message for this long first, e.g. '5s', '2m' (a number: milliseconds)", durationFlag('--delay'))
    .action(async (queue: string, body: string, o: { delay?: number }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.queues.send(queue, { body, ...(o.delay !== undefined ? { delayMs: o.delay } : {}) });
        console.log(json ? JSON.stringify(r) : `sent ${r.messageId}`);
      });
    });

  program
    .command('redrive')
    .description('move messages from a dead-letter queue back to their source queue')
    .argument('<dlq>', 'the dead-letter queue')
    .option('--max <n>', 'move at most n messages', wholeFlag('--max'))
    .option('--to <queue>', 'move them here instead of to their source queue')
    .option('--dry-run', 'show what would move, move nothing')
    .action(async (dlq: string, o: { max?: number; to?: string; dryRun?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.queues.redrive(dlq, { ...(o.max !== undefined ? { max: o.max } : {}), ...(o.to ? { to: o.to } : {}), dryRun: o.dryRun ?? false });
        if (json) return console.log(JSON.stringify(r, null, 2));
        printRows(r.messages.map((m) => ({ messageId: m.messageId, to: m.to, attempts: m.attempts, lastError: m.lastError?.message })), false, 'nothing to redrive');
        console.log(o.dryRun ? `dry run: ${r.messages.length} message(s) would move` : `moved ${r.moved} message(s)`);
      });
    });
}
