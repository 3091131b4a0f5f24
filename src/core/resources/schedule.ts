import { z } from 'zod';
import { defaults } from '../defaults.ts';
import { parseSchedule, validateTimezone, type ScheduleExpression } from '../schedule/index.ts';
import { define, type Resource } from './define.ts';
import { targetField, type TargetRef } from './target.ts';

function validTimezone(tz: string): boolean {
  try {
    validateTimezone(tz);
    return true;
  } catch {
    return false;
  }
}

const target = targetField(['queue', 'topic', 'fn']);

const options = z.strictObject({
  /** EventBridge expression: 'cron(0/20 6-8 * * ? *)', 'rate(5 minutes)' or 'at(2026-01-01T06:00:00)'. */
  expression: z.string().transform((value, ctx) => {
    try {
      return parseSchedule(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  /** IANA time zone the expression is read in. @defaultValue 'UTC' */
  timezone: z.string().refine(validTimezone, 'expected an IANA time zone such as "UTC" or "Europe/Paris"').optional(),
  /** What the schedule fires (a Target): a queue message, a topic message, or a function invocation. */
  target: target.optional(),
  /** The fixed input sent with every tick (as EventBridge's target input). */
  input: z.unknown().optional(),
  /** After downtime, fire missed ticks: not at all, once, or each one. @defaultValue 'once' */
  catchUp: z.enum(['skip', 'once', 'all']).optional(),
  enabled: z.boolean().optional(),
});

export interface ScheduleConfig {
  name: string;
  expression: ScheduleExpression;
  /** The expression as written. */
  source: string;
  timezone: string;
  target?: TargetRef;
  input?: unknown;
  catchUp: 'skip' | 'once' | 'all';
  enabled: boolean;
}

export type ScheduleOptions = z.input<typeof options>;
export type ScheduleResource = Resource<'schedule', ScheduleConfig>;

/** Declares a schedule (EventBridge cron/rate/at) that fires a target with a fixed input. */
export function schedule(name: string, opts: ScheduleOptions): ScheduleResource {
  const { name: n, options: o } = define('schedule', name, options, opts);
  return {
    kind: 'schedule',
    name: n,
    config: {
      name: n,
      expression: o.expression,
      source: opts.expression,
      timezone: o.timezone ?? defaults.schedule.timezone,
      ...(o.target ? { target: o.target } : {}),
      ...(o.input !== undefined ? { input: o.input } : {}),
      catchUp: o.catchUp ?? 'once',
      enabled: o.enabled ?? true,
    },
  };
}
