/**
 * Where the aws stores find queues: URL and config by the app's queue name, cached per backend
 * (one directory per AwsContext, shared by the queue, object and topic stores), and the mapping
 * between Baton's QueueConfig and SQS attributes.
 *
 * SQS keeps times in whole seconds and sizes from 1 KiB, so a config such as a 1500 ms visibility
 * timeout or a 1000-byte limit is rounded up for SQS, and the exact config is kept in the queue's
 * tag `baton:config`; reading back, a tagged value is used only while it still rounds to what SQS
 * holds (a change made outside Baton wins).
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { defaults } from '../../../core/defaults.ts';
import { internalQueuePrefix } from '../../../core/internal-names.ts';
import type { QueueConfig } from '../../../ports/queues.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';

export interface QueueEntry {
  url: string;
  arn: string;
  config: QueueConfig;
}

/** Names of Baton's own queues (S3 event and topic delivery inboxes), hidden from list(). */
export const internalPrefix = internalQueuePrefix;

export const configTag = 'baton:config';

const seconds = (ms: number) => Math.ceil(ms / 1000);
const sqsMinMessageSize = 1024;

/** The SQS attributes for a config (the DLQ's ARN given). */
export function toAttributes(config: QueueConfig, deadLetterArn?: string): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(seconds(config.visibilityTimeoutMs)),
    MessageRetentionPeriod: String(seconds(config.retentionMs)),
    DelaySeconds: String(seconds(config.delayMs)),
    MaximumMessageSize: String(Math.max(sqsMinMessageSize, config.maxMessageSize)),
  };
  if (config.deadLetter && deadLetterArn) {
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: config.deadLetter.maxReceiveCount });
  }
  return attributes;
}

/** The queue's name in an SQS ARN or URL (the part after the last ':' or '/'). */
export function physicalNameOf(arnOrUrl: string): string {
  return arnOrUrl.slice(Math.max(arnOrUrl.lastIndexOf(':'), arnOrUrl.lastIndexOf('/')) + 1);
}

/** The tag value for a config: exact values SQS would round, in a compact form. */
export function configTagValue(config: QueueConfig): string {
  return [config.visibilityTimeoutMs, config.retentionMs, config.delayMs, config.maxMessageSize].join(',');
}

/** Rebuilds a config from SQS attributes, refined by the exact values in the tag. */
export function fromAttributes(ctx: AwsContext, name: string, attributes: Record<string, string>, tag: string | undefined): QueueConfig {
  const num = (key: string, fallback: number) => (attributes[key] !== undefined ? Number(attributes[key]) : fallback);
  const exact = tag?.split(',').map(Number) ?? [];
  // The tagged value when it still rounds to what SQS holds, else SQS's own.
  const pick = (i: number, sqs: number, toSqs: (v: number) => number, unit: number) => {
    const v = exact[i];
    return v !== undefined && Number.isFinite(v) && toSqs(v) === sqs ? v : sqs * unit;
  };
  const config: QueueConfig = {
    name,
    visibilityTimeoutMs: pick(0, num('VisibilityTimeout', 30), seconds, 1000),
    retentionMs: pick(1, num('MessageRetentionPeriod', 345_600), seconds, 1000),
    delayMs: pick(2, num('DelaySeconds', 0), seconds, 1000),
    maxMessageSize: pick(3, num('MaximumMessageSize', defaults.queue.maxMessageSize), (v) => Math.max(sqsMinMessageSize, v), 1),
  };
  if (attributes.RedrivePolicy) {
    const policy = JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    const dlq = ctx.names.strip(physicalNameOf(policy.deadLetterTargetArn));
    if (dlq !== undefined) config.deadLetter = { queue: dlq, maxReceiveCount: Number(policy.maxReceiveCount) };
  }
  return config;
}

export class QueueDirectory {
  private readonly entries = new Map<string, Promise<QueueEntry>>();

  constructor(private readonly ctx: AwsContext) {}

  /** The queue's URL, ARN and config; NotFoundError (declare it) when it does not exist. */
  entry(name: string, op: string): Promise<QueueEntry> {
    let found = this.entries.get(name);
    if (!found) {
      found = this.load(name, op);
      this.entries.set(name, found);
      found.catch(() => this.entries.delete(name));
    }
    return found;
  }

  async url(name: string, op: string): Promise<string> {
    return (await this.entry(name, op)).url;
  }

  /** Records what declare made, so later calls need no lookup. */
  remember(entry: QueueEntry): void {
    this.entries.set(entry.config.name, Promise.resolve(entry));
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  /** Reads a queue's config from SQS by its URL. */
  async read(name: string, url: string, op: string): Promise<QueueEntry> {
    const { sqs } = this.ctx.clients;
    const at = this.ctx.at('sqs', op, `queue "${name}"`);
    const names: QueueAttributeName[] = ['QueueArn', 'VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'MaximumMessageSize', 'RedrivePolicy'];
    const [attrs, tags] = await Promise.all([
      call(at, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }))),
      call(at, () => sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))),
    ]);
    const attributes = attrs.Attributes ?? {};
    return { url, arn: attributes.QueueArn ?? '', config: fromAttributes(this.ctx, name, attributes, tags.Tags?.[configTag]) };
  }

  private async load(name: string, op: string): Promise<QueueEntry> {
    const out = await call(this.ctx.at('sqs', op, `queue "${name}"`), () => this.ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: this.ctx.names.queue(name) })));
    return this.read(name, out.QueueUrl!, op);
  }
}

const directories = new WeakMap<AwsContext, QueueDirectory>();

/** The one directory of this backend. */
export function queueDirectory(ctx: AwsContext): QueueDirectory {
  let d = directories.get(ctx);
  if (!d) directories.set(ctx, (d = new QueueDirectory(ctx)));
  return d;
}
