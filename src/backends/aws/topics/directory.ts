/**
 * Where the topic store finds topics: ARN and config by the app's topic name, cached per store.
 * A topic's ARN is `arn:aws:sns:<region>:<account>:<physical name>`; the account is learnt from the
 * first ARN SNS returns (CreateTopic or ListTopics), after which a lookup is one
 * ListTagsForResource. The config comes from the topic's tags (config-tags.ts); a topic of the
 * app's prefix made outside Baton, with no such tags, is read from its SQS subscriptions to the
 * app's queues.
 */
import { ListSubscriptionsByTopicCommand, ListTagsForResourceCommand, ListTopicsCommand, type Subscription } from '@aws-sdk/client-sns';
import { NotFoundError } from '../../../core/errors.ts';
import type { Subscriber, TopicConfig } from '../../../ports/topics.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { internalPrefix, physicalNameOf } from '../queues/directory.ts';
import { configFromTags } from './config-tags.ts';

export interface TopicEntry {
  arn: string;
  config: TopicConfig;
}

/** The name after the last ':' of an ARN. */
export function lastPart(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/** Every subscription of a topic (ListSubscriptionsByTopic, 100 a page). */
export async function subscriptionsOf(ctx: AwsContext, topic: string, arn: string, op: string): Promise<Subscription[]> {
  const at = ctx.at('sns', op, `topic "${topic}"`);
  const out: Subscription[] = [];
  let token: string | undefined;
  do {
    const page = await call(at, () => ctx.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, ...(token ? { NextToken: token } : {}) })));
    out.push(...(page.Subscriptions ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

export class TopicDirectory {
  private readonly entries = new Map<string, TopicEntry>();
  /** 'arn:aws:sns:<region>:<account>:', once an ARN has been seen. */
  private arnBase: string | undefined;

  constructor(private readonly ctx: AwsContext) {}

  remember(name: string, entry: TopicEntry): void {
    this.arnBase ??= entry.arn.slice(0, entry.arn.lastIndexOf(':') + 1);
    this.entries.set(name, entry);
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  /** The topic, or undefined when SNS has no topic of that name. */
  async find(name: string, op: string): Promise<TopicEntry | undefined> {
    const hit = this.entries.get(name);
    if (hit) return hit;
    const physical = this.ctx.names.topic(name);
    const arn = this.arnBase !== undefined ? this.arnBase + physical : (await this.arns(op)).find((a) => lastPart(a) === physical);
    if (arn === undefined) return undefined;
    try {
      return await this.read(name, arn, op);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Every topic carrying the app's prefix, read afresh, by name. */
  async all(op: string): Promise<TopicEntry[]> {
    const mine = (await this.arns(op)).flatMap((arn) => {
      const name = this.ctx.names.strip(lastPart(arn));
      return name === undefined || name === '' ? [] : [{ name, arn }];
    });
    const entries = await Promise.all(
      mine.map(({ name, arn }) =>
        this.read(name, arn, op).catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined; // deleted while listing
          throw err;
        }),
      ),
    );
    return entries.filter((e): e is TopicEntry => e !== undefined).sort((a, b) => (a.config.name < b.config.name ? -1 : a.config.name > b.config.name ? 1 : 0));
  }

  /** Reads a topic's config from its tags (or subscriptions) and caches it. */
  private async read(name: string, arn: string, op: string): Promise<TopicEntry> {
    const at = this.ctx.at('sns', op, `topic "${name}"`);
    const tags = await call(at, () => this.ctx.clients.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn })));
    const config = configFromTags(name, tags.Tags ?? []) ?? { name, subscribers: await this.fromSubscriptions(name, arn, op) };
    const entry = { arn, config };
    this.remember(name, entry);
    return entry;
  }

  private async fromSubscriptions(name: string, arn: string, op: string): Promise<Subscriber[]> {
    const subs = await subscriptionsOf(this.ctx, name, arn, op);
    return subs.flatMap((s): Subscriber[] => {
      if (s.Protocol !== 'sqs' || !s.Endpoint) return [];
      const queue = this.ctx.names.strip(physicalNameOf(s.Endpoint));
      return queue === undefined || queue.startsWith(internalPrefix) ? [] : [{ kind: 'queue', queue }];
    });
  }

  private async arns(op: string): Promise<string[]> {
    const at = this.ctx.at('sns', op);
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(at, () => this.ctx.clients.sns.send(new ListTopicsCommand(token ? { NextToken: token } : {})));
      for (const t of page.Topics ?? []) if (t.TopicArn) arns.push(t.TopicArn);
      token = page.NextToken;
    } while (token);
    if (arns[0]) this.arnBase ??= arns[0].slice(0, arns[0].lastIndexOf(':') + 1);
    return arns;
  }
}
