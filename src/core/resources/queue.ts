import { z } from 'zod';
import { defaults } from '../defaults.ts';
import type { QueueConfig } from './configs.ts';
import { define, durationField, nameSchema, sizeField, type Resource } from './define.ts';

const q = defaults.queue;

const options = z.strictObject({
  /** How long a received message stays hidden. @defaultValue 30s */
  visibilityTimeout: durationField(0, q.maxVisibilityTimeoutMs).optional(),
  /** How long an unconsumed message is kept. @defaultValue 4 days */
  retention: durationField(60_000, q.maxRetentionMs).optional(),
  /** Delay before a new message becomes visible. @defaultValue 0 */
  delay: durationField(0, q.maxDelayMs).optional(),
  /** Largest message body plus attributes. @defaultValue 256KiB, at most 1MiB */
  maxMessageSize: sizeField(1, q.maxMessageSizeCap).optional(),
  /**
   * Where messages go after maxReceiveCount failed attempts. `queue` defaults to '<name>-dlq', which
   * is declared for you when the app does not declare it.
   */
  deadLetter: z
    .strictObject({
      queue: nameSchema.optional(),
      maxReceiveCount: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
});

export type QueueOptions = z.input<typeof options>;
export type QueueResource = Resource<'queue', QueueConfig>;

/** Declares a queue (SQS semantics: at-least-once, visibility timeout, DLQ, redrive). */
export function queue(name: string, opts: QueueOptions = {}): QueueResource {
  const { name: n, options: o } = define('queue', name, options, opts);
  return {
    kind: 'queue',
    name: n,
    config: {
      name: n,
      visibilityTimeoutMs: o.visibilityTimeout ?? q.visibilityTimeoutMs,
      retentionMs: o.retention ?? q.retentionMs,
      delayMs: o.delay ?? q.delayMs,
      maxMessageSize: o.maxMessageSize ?? q.maxMessageSize,
      ...(o.deadLetter
        ? { deadLetter: { queue: o.deadLetter.queue ?? `${n}-dlq`, maxReceiveCount: o.deadLetter.maxReceiveCount ?? q.maxReceiveCount } }
        : {}),
    },
  };
}
