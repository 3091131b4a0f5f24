/**
 * A topic's Baton config kept in the SNS topic's own tags, so every process (and `list()`) reads
 * the same subscribers with their settings (a webhook's attempts, a queue subscriber's fn), which
 * the SNS subscriptions alone cannot say. SNS tag values allow only letters, digits, spaces and
 * `_ . : / = + - @`, at most 256 characters each, and 50 tags a resource: the JSON is encoded as
 * base64url and cut into parts `baton:topic:0`, `baton:topic:1`, ..., with `baton:topic:parts`
 * giving the count, so a reader never joins parts of two different writes.
 */
import { DefinitionError } from '../../../core/errors.ts';
import type { TopicConfig } from '../../../ports/topics.ts';

export interface Tag {
  Key: string;
  Value: string;
}

const partsKey = 'baton:topic:parts';
const partKey = (i: number) => `baton:topic:${i}`;
const partLength = 256;
/** Leaves 10 of SNS's 50 tags per topic to the user. */
const maxParts = 39;

export function isConfigTag(key: string): boolean {
  return key.startsWith('baton:topic:');
}

/** The tags holding a config. Throws a DefinitionError when it cannot fit. */
export function configTags(config: TopicConfig): Tag[] {
  const encoded = Buffer.from(JSON.stringify(config), 'utf8').toString('base64url');
  const parts = Math.max(1, Math.ceil(encoded.length / partLength));
  if (parts > maxParts) {
    throw new DefinitionError(`Topic '${config.name}': its subscribers take ${encoded.length} characters to record in SNS tags, over the ${maxParts * partLength} the aws backend has room for.`, {
      action: 'Use fewer subscribers or shorter file paths and URLs.',
    });
  }
  const tags: Tag[] = [{ Key: partsKey, Value: String(parts) }];
  for (let i = 0; i < parts; i++) tags.push({ Key: partKey(i), Value: encoded.slice(i * partLength, (i + 1) * partLength) });
  return tags;
}

/** The config recorded in a topic's tags, or undefined when there is none (a topic made outside Baton). */
export function configFromTags(name: string, tags: readonly { Key?: string; Value?: string }[]): TopicConfig | undefined {
  const byKey = new Map(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
  const parts = Number(byKey.get(partsKey));
  if (!Number.isInteger(parts) || parts < 1) return undefined;
  let encoded = '';
  for (let i = 0; i < parts; i++) {
    const part = byKey.get(partKey(i));
    if (part === undefined) return undefined;
    encoded += part;
  }
  try {
    const config = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as TopicConfig;
    return Array.isArray(config.subscribers) ? { name, subscribers: config.subscribers } : undefined;
  } catch {
    return undefined;
  }
}

/** Config tag keys on the topic now that the next write does not set (parts of a longer config). */
export function staleConfigKeys(current: readonly { Key?: string }[], next: readonly Tag[]): string[] {
  const keep = new Set(next.map((t) => t.Key));
  return current.flatMap((t) => (t.Key && isConfigTag(t.Key) && !keep.has(t.Key) ? [t.Key] : []));
}

/** True when the topic's tags already hold exactly these. */
export function sameTags(current: readonly { Key?: string; Value?: string }[], next: readonly Tag[]): boolean {
  const byKey = new Map(current.map((t) => [t.Key, t.Value]));
  return next.every((t) => byKey.get(t.Key) === t.Value) && staleConfigKeys(current, next).length === 0;
}
