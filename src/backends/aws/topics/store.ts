/**
 * The topic port over Amazon SNS (standard topics).
 *
 * - declare: CreateTopic (the physical name has the backend's prefix); each queue subscriber
 *   becomes an `sqs` subscription with the queue policy that lets the topic send; each file or
 *   webhook subscriber gets an internal inbox queue subscribed the same way (inbox.ts), since SNS
 *   cannot write a file on this machine or reach a webhook on 127.0.0.1. Subscriptions are made to
 *   match the config (subscriptions.ts), so declaring twice subscribes nothing twice; the config
 *   itself is kept in the topic's tags (config-tags.ts).
 * - publish: local's checks and words, then Publish with Subject and MessageAttributes
 *   (publish.ts). Queue subscribers get SNS's notification JSON as the body (raw delivery off).
 * - flush: drains every inbox of every app topic to its file or webhook (drain.ts), with local's
 *   attempts, backoff and timeouts. Nothing delivers to files and webhooks until a flush.
 * - deliveries: what this process delivered or gave up on, plus one pending entry per message
 *   still in an inbox (its depth).
 *
 * What SNS cannot give, so the aws backend does not promise it (README backend table):
 * - The notification is SNS's: its Timestamp is SNS's clock (not Baton's clock), its TopicArn has
 *   the physical name (prefix included), and it carries SNS's signature fields (SignatureVersion,
 *   Signature, SigningCertURL, UnsubscribeURL) besides local's.
 * - delivered and failed statuses live in the memory of the process that delivered (SNS and SQS
 *   keep no delivery history): they do not survive a restart and other processes do not see them.
 *   Messages still in an inbox survive (SQS keeps them 14 days) and are delivered by the next flush.
 * - Pending counts are SQS's approximate queue depths; a message SNS has not yet handed to an inbox
 *   (usually milliseconds) is delivered by a later flush, not this one.
 * - Order: a file gets its lines in SNS Timestamp order within each receive of up to 10 messages;
 *   SQS standard queues keep no order across receives.
 * - Delivery is at least once, attempts counted afresh after a crash (an inbox message hidden for
 *   the longest its delivery can take reappears when its process died).
 * - All or nothing only as far as sizes go: a queue too small for the notification is refused
 *   before Publish (publish.ts); a subscription SNS fails to deliver to for another reason does not
 *   undo the others.
 */
import { CreateTopicCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-sns';
import { DefinitionError, NotFoundError } from '../../../core/errors.ts';
import type { DeliveryStatus, PublishInput, TopicConfig, TopicStore } from '../../../ports/topics.ts';
import { subscriberId, validateTopicConfig } from '../../shared/topics/config.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { queueDirectory, type QueueDirectory } from '../queues/directory.ts';
import { configTags, sameTags, staleConfigKeys } from './config-tags.ts';
import { TopicDirectory, type TopicEntry } from './directory.ts';
import { Drainer, type Outbound } from './drain.ts';
import { Inboxes, inboxName } from './inbox.ts';
import { DeliveryLog } from './log.ts';
import { publish } from './publish.ts';
import { reconcile, type Endpoint } from './subscriptions.ts';

function notDeclared(name: string): NotFoundError {
  return new NotFoundError(`Topic ${JSON.stringify(name)} is not declared.`, {
    action: `Declare it in baton.config.ts with topic(${JSON.stringify(name)}); the app declares its topics when it starts (or run \`baton provision --backend aws\`).`,
  });
}

function outbound(config: TopicConfig): Outbound[] {
  return config.subscribers.filter((s): s is Outbound => s.kind !== 'queue');
}

export class AwsTopicStore implements TopicStore {
  private readonly topics: TopicDirectory;
  private readonly queues: QueueDirectory;
  private readonly inboxes: Inboxes;
  private readonly log = new DeliveryLog();
  private readonly drainer: Drainer;

  constructor(private readonly ctx: AwsContext) {
    this.topics = new TopicDirectory(ctx);
    this.queues = queueDirectory(ctx);
    this.inboxes = new Inboxes(ctx);
    this.drainer = new Drainer(ctx, this.log);
  }

  async declare(config: TopicConfig): Promise<void> {
    const clean = validateTopicConfig(config);
    const name = clean.name;
    const endpoints: Endpoint[] = [];
    for (const s of clean.subscribers) {
      if (s.kind !== 'queue') continue;
      try {
        const entry = await this.queues.entry(s.queue, 'declare');
        endpoints.push({ name: s.queue, url: entry.url, arn: entry.arn });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        throw new DefinitionError(`Topic '${name}': its subscriber queue '${s.queue}' is not declared.`, {
          action: `Declare queue '${s.queue}' before topic '${name}' (or fix the subscriber in baton.config.ts).`,
          cause: err,
        });
      }
    }
    const tags = configTags(clean); // refuses a config too large to record before anything is made
    const { sns } = this.ctx.clients;
    const at = this.ctx.at('sns', 'declare', `topic "${name}"`);
    const { TopicArn: arn } = await call(at, () => sns.send(new CreateTopicCommand({ Name: this.ctx.names.topic(name) })));
    for (const s of outbound(clean)) endpoints.push(await this.inboxes.ensure(inboxName(this.ctx.names.prefix, name, subscriberId(s)), name));
    await reconcile(this.ctx, name, arn!, endpoints);
    const current = (await call(at, () => sns.send(new ListTagsForResourceCommand({ ResourceArn: arn })))).Tags ?? [];
    if (!sameTags(current, tags)) {
      await call(at, () => sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags })));
      const stale = staleConfigKeys(current, tags);
      if (stale.length > 0) await call(at, () => sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: stale })));
    }
    this.topics.remember(name, { arn: arn!, config: clean });
  }

  async list(): Promise<TopicConfig[]> {
    return (await this.topics.all('list')).map((e) => structuredClone(e.config));
  }

  async publish(topic: string, input: PublishInput): Promise<{ messageId: string }> {
    const entry = await this.require(topic, 'publish');
    try {
      return { messageId: await publish(this.ctx, this.queues, entry.config, entry.arn, input) };
    } catch (err) {
      // Only Publish itself can say not found: SNS has no such topic any more (deleted outside Baton).
      if (err instanceof NotFoundError) {
        this.topics.forget(topic);
        throw notDeclared(topic);
      }
      throw err;
    }
  }

  /** Drains the inbox of every file and webhook subscriber of every app topic; resolves when they are empty. */
  async flush(): Promise<void> {
    const entries = await this.topics.all('flush');
    const drains: Promise<void>[] = [];
    for (const { config } of entries) {
      for (const s of outbound(config)) {
        const inbox = await this.inboxes.find(inboxName(this.ctx.names.prefix, config.name, subscriberId(s)), config.name, 'flush');
        if (inbox) drains.push(this.drainer.drain({ topic: config.name, subscriber: s, inbox }));
      }
    }
    const results = await Promise.allSettled(drains);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async deliveries(topic: string): Promise<DeliveryStatus[]> {
    const { config } = await this.require(topic, 'deliveries');
    const seen = this.log.list(topic);
    const waiting: Array<Omit<DeliveryStatus, 'id'>> = [];
    for (const s of outbound(config)) {
      const inbox = await this.inboxes.find(inboxName(this.ctx.names.prefix, topic, subscriberId(s)), topic, 'deliveries');
      if (!inbox) continue;
      const count = Math.max(0, (await this.inboxes.depth(inbox, topic)) - this.drainer.held(inbox.name));
      for (let i = 0; i < count; i++) waiting.push({ topic, subscriber: subscriberId(s), status: 'pending', attempts: 0 });
    }
    const ids = this.log.peekIds(waiting.length);
    return [...seen, ...waiting.map((w, i) => ({ id: ids[i]!, ...w }))];
  }

  /** Stops delivering: messages under delivery go back to their inboxes for the next flush. */
  close(): Promise<void> {
    return this.drainer.stop();
  }

  private async require(name: string, op: string): Promise<TopicEntry> {
    if (typeof name !== 'string' || name === '') throw notDeclared(name);
    const entry = await this.topics.find(name, op);
    if (!entry) throw notDeclared(name);
    return entry;
  }
}
