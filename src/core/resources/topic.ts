import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Subscriber, TopicConfig } from './configs.ts';
import { define, durationField, nameSchema, type Resource } from './define.ts';
import { oneOf } from './shapes.ts';

const subscriber = oneOf('a subscriber', [
  { what: 'a queue', key: 'queue', schema: z.strictObject({ queue: nameSchema }), written: "{ queue: '<name>' }" },
  /** Invokes this function (asynchronously, as SNS invokes Lambda) with the SNS event. */
  { what: 'a function', key: 'fn', schema: z.strictObject({ fn: nameSchema }), written: "{ fn: '<name>' }" },
  /** Appends one JSON line per message to this file (relative to the project). */
  { what: 'a file', key: 'file', schema: z.strictObject({ file: z.string().min(1) }), written: "{ file: '<path>' }" },
  {
    what: 'a webhook',
    key: 'webhook',
    schema: z.strictObject({
      webhook: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://example.com/hook' }),
      attempts: z.number().int().min(1).max(100).optional(),
      backoff: durationField(0, 3_600_000).optional(),
      timeout: durationField(1, 300_000).optional(),
    }),
  },
]);

const options = z.strictObject({
  subscribers: z.array(subscriber).optional(),
});

export type TopicOptions = z.input<typeof options>;
export type TopicResource = Resource<'topic', TopicConfig>;

/**
 * The internal queue that holds a topic's messages for one function subscriber:
 * 'baton-sns-<topic>-<fn>', or a hashed name when that would not be a valid queue name.
 */
export function topicFnQueue(topic: string, fn: string): string {
  const plain = `baton-sns-${topic}-${fn}`;
  if (/^[A-Za-z0-9_-]{1,80}$/.test(plain)) return plain;
  return `baton-sns-${createHash('sha256').update(`${topic}\n${fn}`).digest('hex').slice(0, 32)}`;
}

/** Declares a topic: publish once, deliver to every subscriber (queue, function, file outbox, webhook). */
export function topic(name: string, opts: TopicOptions = {}): TopicResource {
  const { name: n, options: o } = define('topic', name, options, opts);
  const subscribers: Subscriber[] = (o.subscribers ?? []).map((s) => {
    if ('queue' in s) return { kind: 'queue', queue: s.queue };
    if ('fn' in s) return { kind: 'queue', queue: topicFnQueue(n, s.fn), fn: s.fn };
    if ('file' in s) return { kind: 'file', path: s.file };
    return {
      kind: 'webhook',
      url: s.webhook,
      ...(s.attempts !== undefined ? { attempts: s.attempts } : {}),
      ...(s.backoff !== undefined ? { backoffMs: s.backoff } : {}),
      ...(s.timeout !== undefined ? { timeoutMs: s.timeout } : {}),
    };
  });
  return { kind: 'topic', name: n, config: { name: n, subscribers } };
}
