import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { formatDuration } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import type { LogRecord } from '../../ports/executor.ts';
import { printValue } from '../output.ts';
import { withSession } from '../session.ts';

interface InvokeCliOptions {
  event?: string;
  eventJson?: string;
  async?: boolean;
}

function readEvent(o: InvokeCliOptions): unknown {
  if (o.event !== undefined && o.eventJson !== undefined) {
    throw new ValidationError('Give the event once: --event <file> or --event-json <json>, not both.');
  }
  let text: string;
  let where: string;
  if (o.event !== undefined) {
    where = `--event ${o.event}`;
    try {
      text = readFileSync(o.event, 'utf8');
    } catch (err) {
      throw new ValidationError(`${where}: cannot read the file (${(err as Error).message}).`, { action: 'Pass the path of a JSON file.' });
    }
  } else if (o.eventJson !== undefined) {
    where = '--event-json';
    text = o.eventJson;
  } else return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValidationError(`${where}: not valid JSON (${(err as Error).message}).`, { action: 'Lambda events are JSON; fix the event.' });
  }
}

export function formatLog(l: LogRecord): string {
  return `${new Date(l.time).toISOString()}  ${l.level.toUpperCase().padEnd(5)}  ${l.message}`;
}

export function registerInvoke(program: Command): void {
  program
    .command('invoke')
    .description('run a function once with an event; prints its result or its error (exit code 1 on error or timeout)')
    .argument('<fn>', 'the function name')
    .option('--event <file>', 'the event, from a JSON file')
    .option('--event-json <json>', 'the event, as JSON text')
    .option('--async', "queue the event (Lambda's asynchronous invoke: retries, then the on-failure destination)")
    .action(async (name: string, o: InvokeCliOptions, cmd: Command) => {
      const event = readEvent(o);
      await withSession(cmd, async ({ app, json }) => {
        if (o.async) {
          const r = await app.invokeAsync(name, event);
          printValue(json ? r : `queued ${r.requestId} for ${name}; it runs when the runtime (baton dev) drains async invocations`, json);
          return;
        }
        const inv = await app.invoke(name, event);
        if (inv.status !== 'ok') process.exitCode = 1;
        if (json) {
          printValue({ runId: inv.runId, requestId: inv.requestId, status: inv.status, result: inv.result, error: inv.error, durationMs: inv.durationMs, initDurationMs: inv.initDurationMs, logs: inv.logs }, true);
          return;
        }
        for (const l of inv.logs) console.error(formatLog(l));
        const took = `${formatDuration(inv.durationMs)}${inv.initDurationMs !== undefined ? `, init ${formatDuration(inv.initDurationMs)}` : ''}`;
        if (inv.status === 'ok') {
          console.log(JSON.stringify(inv.result, null, 2));
          console.error(`ok in ${took} (run ${inv.runId})`);
        } else {
          console.log(`${inv.status}: ${inv.error?.errorType}: ${inv.error?.errorMessage}`);
          console.error(`${inv.status} after ${took} (run ${inv.runId}; baton logs ${inv.runId})`);
        }
      });
    });
}
