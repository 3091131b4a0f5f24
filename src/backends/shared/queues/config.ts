import { defaults } from '../../../core/defaults.ts';
import { formatDuration } from '../../../core/duration.ts';
import { DefinitionError, show } from '../../../core/errors.ts';
import { formatSize } from '../../../core/size.ts';
import type { QueueConfig } from '../../../ports/queues.ts';

const q = defaults.queue;

/** Queue names as SQS allows them: letters, digits, '-' and '_', 1 to 80 characters. */
const namePattern = /^[A-Za-z0-9_-]{1,80}$/;

interface Range {
  min: number;
  max: number;
  format: (n: number) => string;
}

const ranges: Record<'visibilityTimeoutMs' | 'retentionMs' | 'delayMs' | 'maxMessageSize', Range> = {
  visibilityTimeoutMs: { min: 0, max: q.maxVisibilityTimeoutMs, format: formatDuration },
  retentionMs: { min: 60_000, max: q.maxRetentionMs, format: formatDuration },
  delayMs: { min: 0, max: q.maxDelayMs, format: formatDuration },
  maxMessageSize: { min: 1, max: q.maxMessageSizeCap, format: formatSize },
};

/**
 * Checks a queue config before it is stored and returns a clean copy. Throws a DefinitionError
 * naming the queue, the field, the value and the allowed range.
 */
export function validateQueueConfig(config: QueueConfig): QueueConfig {
  const name: unknown = config?.name;
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new DefinitionError(`Queue name ${show(name)} is invalid: use 1 to 80 letters, digits, '-' or '_'.`, { action: 'Rename the queue in baton.config.ts.' });
  }
  for (const [field, range] of Object.entries(ranges) as Array<[keyof typeof ranges, Range]>) {
    const value: unknown = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      throw new DefinitionError(
        `Queue '${name}': ${field} is ${show(value)}; it must be a whole number from ${range.min} (${range.format(range.min)}) to ${range.max} (${range.format(range.max)}).`,
        { action: `Change ${field} of queue '${name}' in baton.config.ts.` },
      );
    }
  }
  const clean: QueueConfig = {
    name,
    visibilityTimeoutMs: config.visibilityTimeoutMs,
    retentionMs: config.retentionMs,
    delayMs: config.delayMs,
    maxMessageSize: config.maxMessageSize,
  };
  const dl = config.deadLetter;
  if (dl !== undefined) {
    if (typeof dl.queue !== 'string' || !namePattern.test(dl.queue) || dl.queue === name) {
      throw new DefinitionError(`Queue '${name}': deadLetter.queue is ${show(dl.queue)}; it must name another declared queue.`, { action: `Fix deadLetter.queue of queue '${name}' in baton.config.ts.` });
    }
    if (!Number.isInteger(dl.maxReceiveCount) || dl.maxReceiveCount < 1 || dl.maxReceiveCount > 1000) {
      throw new DefinitionError(`Queue '${name}': deadLetter.maxReceiveCount is ${show(dl.maxReceiveCount)}; it must be a whole number from 1 to 1000.`, { action: `Fix deadLetter.maxReceiveCount of queue '${name}' in baton.config.ts.` });
    }
    clean.deadLetter = { queue: dl.queue, maxReceiveCount: dl.maxReceiveCount };
  }
  return clean;
}
