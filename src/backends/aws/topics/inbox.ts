/**
 * The internal inbox of a file or webhook subscriber: SNS cannot append to a file on this machine
 * or reach a webhook on 127.0.0.1, so each such subscriber gets an SQS queue of Baton's own
 * subscribed to the topic, and `flush()` drains it (drain.ts). Its name is derived from the topic
 * and the subscriber's identity, so every process finds the same inbox without a lookup table:
 * `<prefix>baton-topic-<topic, shortened to fit>-<hash>` (SQS names hold at most 80 characters;
 * the queue store's list() hides `baton-` queues).
 */
import { createHash } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { NotFoundError } from '../../../core/errors.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';

export interface Inbox {
  /** The app-level name (without the prefix). */
  name: string;
  url: string;
  arn: string;
}

const maxSqsName = 80;
const head = 'baton-topic-';

/**
 * Fixed attributes, so CreateQueue stays idempotent: 14 days' retention (SQS's longest), 1 MiB
 * messages (SNS's envelope around a 256 KiB message is larger than 256 KiB), and a visibility
 * timeout each receive overrides.
 */
const attributes = { MessageRetentionPeriod: '1209600', MaximumMessageSize: '1048576', VisibilityTimeout: '30' };

export function inboxName(prefix: string, topic: string, subscriber: string): string {
  const hash = createHash('sha256').update(`${topic}\n${subscriber}`).digest('hex').slice(0, 12);
  const room = maxSqsName - prefix.length - head.length - hash.length - 1;
  return room > 0 ? `${head}${topic.slice(0, room)}-${hash}` : `${head}${hash}`;
}

export class Inboxes {
  private readonly known = new Map<string, Inbox>();

  constructor(private readonly ctx: AwsContext) {}

  /** Creates the inbox (or finds it: CreateQueue with the same attributes returns the existing queue). */
  async ensure(name: string, topic: string): Promise<Inbox> {
    const hit = this.known.get(name);
    if (hit) return hit;
    const { sqs } = this.ctx.clients;
    const at = this.ctx.at('sqs', 'declare', `inbox queue "${name}" of topic "${topic}"`);
    const { QueueUrl: url } = await call(at, () => sqs.send(new CreateQueueCommand({ QueueName: this.ctx.names.queue(name), Attributes: attributes })));
    return this.remember(name, url!, at);
  }

  /** The inbox if it exists, else undefined (its topic was declared by a process that died half-way). */
  async find(name: string, topic: string, op: string): Promise<Inbox | undefined> {
    const hit = this.known.get(name);
    if (hit) return hit;
    const at = this.ctx.at('sqs', op, `inbox queue "${name}" of topic "${topic}"`);
    try {
      const { QueueUrl: url } = await call(at, () => this.ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: this.ctx.names.queue(name) })));
      return await this.remember(name, url!, at);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Messages in the inbox: visible, in flight and delayed (SQS's approximate counts). */
  async depth(inbox: Inbox, topic: string): Promise<number> {
    const at = this.ctx.at('sqs', 'deliveries', `inbox queue "${inbox.name}" of topic "${topic}"`);
    const out = await call(at, () =>
      this.ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] })),
    );
    const a = out.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
  }

  private async remember(name: string, url: string, at: ReturnType<AwsContext['at']>): Promise<Inbox> {
    const out = await call(at, () => this.ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })));
    const inbox = { name, url, arn: out.Attributes?.QueueArn ?? '' };
    this.known.set(name, inbox);
    return inbox;
  }
}
