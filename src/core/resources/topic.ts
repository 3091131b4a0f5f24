import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Subscriber, TopicConfig } from './configs.ts';
import { define, durationField, type Resource } from './define.ts';
import { oneOf, type Shape } from './shapes.ts';
import { targetShapes, type Target, type TargetRef } from './target.ts';

const fileSubscriber = z.strictObject({ file: z.string().min(1) });
const webhookSubscriber = z.strictObject({
  webhook: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://example.com/hook' }),
  attempts: z.number().int().min(1).max(100).optional(),
  backoff: durationField(0, 3_600_000).optional(),
  timeout: durationField(1, 300_000).optional(),
});

/**
 * A queue gets the SNS notification as its message body; a function is invoked asynchronously (as
 * SNS invokes Lambda) with the SNS event: both a Target, by name or the declaration itself. A file
 * gets one JSON line per message (relative to the project); a webhook an HTTP POST, retried.
 */
const subscriber = oneOf('a subscriber', [
  ...(targetShapes(['queue', 'fn']) as [Shape, Shape, Shape]),
  { what: 'a file', key: 'file', schema: fileSubscriber, written: "{ file: '<path>' }" },
  { what: 'a webhook', key: 'webhook', schema: webhookSubscriber },
]) as unknown as z.ZodType<TargetRef<'queue' | 'fn'> | z.output<typeof fileSubscriber> | z.output<typeof webhookSubscriber>, Target<'queue' | 'fn'> | z.input<typeof fileSubscriber> | z.input<typeof webhookSubscriber>>;

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
