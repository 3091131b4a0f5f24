import { DefinitionError, show } from '../../../core/errors.ts';
import type { Subscriber, TopicConfig } from '../../../ports/topics.ts';

/** SNS topic names: 1-256 letters, digits, hyphens and underscores. */
const topicName = /^[A-Za-z0-9_-]{1,256}$/;

/** A subscriber's identity, as deliveries() names it: 'queue:<name>', 'file:<path>', 'webhook:<url>'. */
export function subscriberId(s: Subscriber): string {
  switch (s.kind) {
    case 'queue':
      return `queue:${s.queue}`;
    case 'file':
      return `file:${s.path}`;
    case 'webhook':
      return `webhook:${s.url}`;
  }
}

function fail(topic: string, problem: string, action: string): DefinitionError {
  return new DefinitionError(`Topic ${show(topic)}: ${problem}.`, { action });
}

/** A subscriber as it may arrive from untyped code (a config file, the CLI). */
interface RawSubscriber {
  kind?: unknown;
  queue?: unknown;
  path?: unknown;
  url?: unknown;
  attempts?: unknown;
  backoffMs?: unknown;
  timeoutMs?: unknown;
}

function checkSubscriber(topic: string, s: Subscriber, i: number): Subscriber {
  const at = `subscribers[${i}]`;
  const r: RawSubscriber = typeof s === 'object' && s !== null ? s : {};
  if (r.kind === 'queue') {
    if (typeof r.queue !== 'string' || r.queue === '') throw fail(topic, `${at}.queue is ${show(r.queue)}`, 'Name a declared queue.');
    return { kind: 'queue', queue: r.queue };
  }
  if (r.kind === 'file') {
    if (typeof r.path !== 'string' || r.path === '') throw fail(topic, `${at}.path is ${show(r.path)}`, 'Give the file to append to, e.g. "out/events.jsonl".');
    return { kind: 'file', path: r.path };
  }
  if (r.kind === 'webhook') {
    const url = typeof r.url === 'string' && URL.canParse(r.url) ? new URL(r.url) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw fail(topic, `${at}.url is ${show(r.url)}, not an http(s) URL`, 'Give a URL such as "https://example.com/hook".');
    const out: Extract<Subscriber, { kind: 'webhook' }> = { kind: 'webhook', url: r.url as string };
    if (r.attempts !== undefined) {
      if (typeof r.attempts !== 'number' || !Number.isInteger(r.attempts) || r.attempts < 1 || r.attempts > 100) throw fail(topic, `${at}.attempts is ${show(r.attempts)}`, 'Use a whole number from 1 to 100.');
      out.attempts = r.attempts;
    }
    if (r.backoffMs !== undefined) {
      if (typeof r.backoffMs !== 'number' || !Number.isFinite(r.backoffMs) || r.backoffMs < 0) throw fail(topic, `${at}.backoffMs is ${show(r.backoffMs)}`, 'Use a number of milliseconds, 0 or more.');
      out.backoffMs = r.backoffMs;
    }
    if (r.timeoutMs !== undefined) {
      if (typeof r.timeoutMs !== 'number' || !Number.isFinite(r.timeoutMs) || r.timeoutMs <= 0) throw fail(topic, `${at}.timeoutMs is ${show(r.timeoutMs)}`, 'Use a number of milliseconds above 0.');
      out.timeoutMs = r.timeoutMs;
    }
    return out;
  }
  throw fail(topic, `${at} is ${show(s)}, not a subscriber`, "Use { kind: 'queue', queue }, { kind: 'file', path } or { kind: 'webhook', url }.");
}

/** Validates a topic config and returns a clean copy (no extra properties, duplicates removed). */
export function validateTopicConfig(config: TopicConfig): TopicConfig {
  const name = (config as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !topicName.test(name)) {
    throw new DefinitionError(`Topic name ${show(name)} is not valid.`, { action: 'Use 1-256 letters, digits, hyphens or underscores (as SNS).' });
  }
  if (!Array.isArray(config.subscribers)) throw fail(name, `subscribers is ${show(config.subscribers)}`, 'Give an array of subscribers (it may be empty).');
  const seen = new Set<string>();
  const subscribers: Subscriber[] = [];
  config.subscribers.forEach((s, i) => {
    const clean = checkSubscriber(name, s, i);
    const id = subscriberId(clean);
    if (seen.has(id)) return;
    seen.add(id);
    subscribers.push(clean);
  });
  return { name, subscribers };
}
