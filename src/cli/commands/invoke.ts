import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { formatDuration } from '../../core/duration.ts';
import { ValidationError } from '../../core/errors.ts';
import type { LogRecord } from '../../ports/executor.ts';
import type { AppSpec } from '../../core/app.ts';
import { printValue } from '../output.ts';
import { withSession } from '../session.ts';
import { scheduledDefault, triggerEvent, type SampleOptions } from '../dev-events.ts';
import { sampleOptions } from './events.ts';

interface InvokeCliOptions extends SampleOptions {
  event?: string;
  eventJson?: string;
  async?: boolean;
  /** true: the function's first trigger; a string: that source ('queue:orders'). */
  trigger?: boolean | string;
}

/** The event given on the command line, or undefined when none was. */
function readEvent(o: InvokeCliOptions): unknown {
  if ([o.event !== undefined, o.eventJson !== undefined, o.trigger !== undefined].filter(Boolean).length > 1) {
    throw new ValidationError('Give the event once: --event <file>, --event-json <json> or --trigger, not more than one.');
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
  } else return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValidationError(`${where}: not valid JSON (${(err as Error).message}).`, { action: 'Lambda events are JSON; fix the event.' });
  }
}

export function formatLog(l: LogRecord): string {
  return `${new Date(l.time).toISOString()}  ${l.level.toUpperCase().padEnd(5)}  ${l.message}`;
}

/**
 * The event to invoke with: the one given; else, with --trigger, the event of the function's own
 * trigger; else, for a schedule's target, the scheduled event it would get; else {}.
 */
function eventFor(spec: AppSpec, name: string, o: InvokeCliOptions, json: boolean): unknown {
  const given = readEvent(o);
  if (given !== undefined) return given;
  const note = (text: string) => !json && console.error(`baton invoke: ${text}`);
  if (o.trigger !== undefined) {
    const built = triggerEvent(spec, name, typeof o.trigger === 'string' ? o.trigger : undefined, o);
    if (built.note) note(built.note);
    note(`event of ${built.source}`);
    return built.event;
  }
  const scheduled = scheduledDefault(spec, name);
  if (scheduled) {
    note(`no event given: the event of ${scheduled.source}`);
    return scheduled.event;
  }
  return {};
}

export function registerInvoke(program: Command): void {
  sampleOptions(
    program
      .command('invoke')
      .description("run a function once with an event; prints its result or its error (exit code 1 on error or timeout). With no event, a schedule's target gets the scheduled event, any other function {}")
      .argument('<fn>', 'the function name')
      .option('--event <file>', 'the event, from a JSON file')
      .option('--event-json <json>', 'the event, as JSON text')
      .option('--trigger [source]', "the event the function's trigger sends (an S3 event for its bucket, an SQS batch, a stream record, a scheduled event, SNS); source picks one of several, e.g. queue:orders")
      .option('--async', "queue the event (Lambda's asynchronous invoke: retries, then the on-failure destination)"),
  )
    .action(async (name: string, o: InvokeCliOptions, cmd: Command) => {
      readEvent(o);
      await withSession(cmd, async ({ app, spec, json }) => {
        const event = eventFor(spec, name, o, json);
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
