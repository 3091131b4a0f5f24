import { z } from 'zod';
import { defaults } from '../defaults.ts';
import { parseDuration } from '../duration.ts';
import { DefinitionError, show } from '../errors.ts';
import { define, durationField, nameSchema, type Resource } from './define.ts';

export type AlarmMetric = 'depth' | 'visible' | 'deadLettered' | 'oldestAge';

const options = z.strictObject({
  /** The queue whose counts are watched. */
  queue: nameSchema,
  /**
   * depth: visible + in flight + delayed; visible: ready to receive; deadLettered: messages in the
   * queue's dead-letter queue; oldestAge: age of the oldest message.
   */
  metric: z.enum(['depth', 'visible', 'deadLettered', 'oldestAge']),
  /** In alarm while the metric is at least this: a count, or a duration ('15m') for oldestAge. */
  threshold: z.union([z.number().min(0), z.string()]),
  /** Where the state changes are published (CloudWatch's alarm notification JSON). */
  topic: nameSchema,
  /** How often the alarm is evaluated. @defaultValue 1m */
  every: durationField(1000, 86_400_000).optional(),
});

export interface AlarmConfig {
  name: string;
  queue: string;
  metric: AlarmMetric;
  /** Count, or milliseconds for oldestAge. */
  threshold: number;
  topic: string;
  everyMs: number;
}

export type AlarmOptions = z.input<typeof options>;
export type AlarmResource = Resource<'alarm', AlarmConfig>;

/**
 * Declares a queue alarm: it publishes to a topic once when the metric reaches the threshold and
 * once when it falls back below, never once per message.
 */
export function alarm(name: string, opts: AlarmOptions): AlarmResource {
  const { name: n, options: o } = define('alarm', name, options, opts);
  let threshold: number;
  if (o.metric === 'oldestAge') {
    try {
      threshold = parseDuration(o.threshold);
    } catch {
      throw new DefinitionError(`alarm "${n}" is invalid: field "threshold" = ${show(o.threshold)}: expected a duration for metric "oldestAge", such as '15m' or 900000.`, { action: `Fix the alarm "${n}" in baton.config.ts.` });
    }
  } else {
    if (typeof o.threshold !== 'number' || !Number.isInteger(o.threshold)) {
      throw new DefinitionError(`alarm "${n}" is invalid: field "threshold" = ${show(o.threshold)}: expected a whole number of messages for metric "${o.metric}".`, { action: `Fix the alarm "${n}" in baton.config.ts (e.g. threshold: 1 to alarm on the first message).` });
    }
    threshold = o.threshold;
  }
  return { kind: 'alarm', name: n, config: { name: n, queue: o.queue, metric: o.metric, threshold, topic: o.topic, everyMs: o.every ?? defaults.triggers.alarmEveryMs } };
}
