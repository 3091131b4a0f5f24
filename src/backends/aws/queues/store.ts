/**
 * The queue port over Amazon SQS (standard queues), batch APIs always: SendMessageBatch,
 * DeleteMessageBatch and ChangeMessageVisibilityBatch in chunks of 10, ReceiveMessage looped for
 * more than 10, long polling, and the redrive policy for dead-lettering. Queue URLs and configs
 * are cached by name (directory.ts).
 *
 * What SQS cannot give, so the aws backend does not promise it (README backend table):
 * - Fenced receipts: SQS accepts a delete or visibility change with an old receipt handle (after
 *   the message was received again) instead of refusing it; only a malformed or unknown handle is
 *   a StaleReceiptError. A consumer that outlived its lease can delete a message someone else holds.
 * - Attempts counted only when a handler starts: every receive counts toward maxReceiveCount
 *   (attempts = ApproximateReceiveCount, less this receive's for `countAttempt: false`, as the port
 *   says); `startAttempts` changes nothing and `handBack` cannot take a receive's count back.
 * - release records no error and never dead-letters at once: it makes the message visible after
 *   delayMs (ChangeMessageVisibility) and returns `{ deadLettered: false }`; SQS moves the message
 *   to the DLQ on the receive after maxReceiveCount. A dead-lettered message has no lastError,
 *   only its source queue (DeadLetterQueueSourceArn, where SQS sets it).
 * - Times in whole seconds: visibility timeouts, delays, retention and long-poll waits are rounded
 *   up to seconds; the exact values are kept in a queue tag for list().
 * - stats: counts are SQS's approximate ones, and `oldestAgeMs` is always 0 (the age of the oldest
 *   message is a CloudWatch metric, not an SQS attribute).
 * - purge: SQS allows one PurgeQueue per queue per 60 s (a second one is a ThrottledError), takes
 *   up to a minute, and the count returned is the approximate depth just before it.
 * - Message ordering and exactly-once are SQS standard queue's: best-effort order, at least once.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { defaults } from '../../../core/defaults.ts';
import { DefinitionError, NotFoundError, ValidationError, deserializeError, show } from '../../../core/errors.ts';
import type { BatchResultEntry, PeekOptions, PeekPage, QueueConfig, QueueStats, QueueStore, ReceivedMessage, ReceiveOptions, RedriveOptions, RedriveResult, SendInput, SendResult } from '../../../ports/queues.ts';
import { validateQueueConfig } from '../../shared/queues/config.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { changeVisibilityBatch, deleteBatch } from './batch.ts';
import { configTag, configTagValue, internalPrefix, physicalNameOf, queueDirectory, toAttributes, type QueueDirectory } from './directory.ts';
import { checkMessage } from './message.ts';
import { receive } from './receive.ts';
import { peek } from './peek.ts';
import { redrive } from './redrive.ts';
import { sendBatch } from './send.ts';

function checkVisibility(queue: string, ms: unknown): number {
  const max = defaults.queue.maxVisibilityTimeoutMs;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > max) {
    throw new ValidationError(`Queue '${queue}': visibility timeout ${show(ms)} is out of range; it must be a whole number of milliseconds from 0 to ${max} (12h).`);
  }
  return ms;
}

function checkHandle(queue: string, handle: unknown): asserts handle is string {
  if (typeof handle !== 'string' || handle === '') {
    throw new ValidationError(`Queue '${queue}': ${show(handle)} is not a receipt handle.`, { action: 'Pass receiptHandle exactly as receive returned it.' });
  }
}

export class AwsQueueStore implements QueueStore {
  private readonly dir: QueueDirectory;

  constructor(private readonly ctx: AwsContext) {
    this.dir = queueDirectory(ctx);
  }

  /** CreateQueue with the attributes (idempotent: SQS returns the existing queue when they match), then SetQueueAttributes when an existing queue differs. */
  async declare(config: QueueConfig): Promise<void> {
    const clean = validateQueueConfig(config);
    const { sqs } = this.ctx.clients;
    let dlqArn: string | undefined;
    if (clean.deadLetter) {
      const dlq = clean.deadLetter.queue;
      try {
        dlqArn = (await this.dir.entry(dlq, 'declare')).arn;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        throw new DefinitionError(`Queue '${clean.name}': its dead-letter queue '${dlq}' is not declared.`, { action: `Declare queue '${dlq}' before queue '${clean.name}' in baton.config.ts.`, cause: err });
      }
    }
    const attributes = toAttributes(clean, dlqArn);
    const at = this.ctx.at('sqs', 'declare', `queue "${clean.name}"`);
    const physical = this.ctx.names.queue(clean.name);
    const existing = await call(at, () => sqs.send(new GetQueueUrlCommand({ QueueName: physical }))).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    let url: string;
    if (existing?.QueueUrl) {
      url = existing.QueueUrl;
      const current = await this.dir.read(clean.name, url, 'declare');
      const now = toAttributes(current.config, current.config.deadLetter ? dlqArn : undefined);
      const changed = Object.entries(attributes).some(([k, v]) => now[k] !== v) || (!clean.deadLetter && current.config.deadLetter !== undefined);
      // SQS removes a redrive policy when it is set to the empty string.
      if (changed) await call(at, () => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ...attributes, ...(!clean.deadLetter && current.config.deadLetter ? { RedrivePolicy: '' } : {}) } })));
      if (changed || configTagValue(current.config) !== configTagValue(clean)) {
        await call(at, () => sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { [configTag]: configTagValue(clean) } })));
      }
    } else {
      const out = await call(at, () => sqs.send(new CreateQueueCommand({ QueueName: physical, Attributes: attributes, tags: { [configTag]: configTagValue(clean) } })));
      url = out.QueueUrl!;
    }
    this.dir.forget(clean.name);
    const arn = (await call(at, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))).Attributes?.QueueArn ?? '';
    this.dir.remember({ url, arn, config: clean });
  }

  /** The app's queues (those carrying the backend's prefix), Baton's internal ones left out, by name. */
  async list(): Promise<QueueConfig[]> {
    const { sqs } = this.ctx.clients;
    const at = this.ctx.at('sqs', 'list');
    const urls: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(at, () => sqs.send(new ListQueuesCommand({ QueueNamePrefix: this.ctx.names.prefix || undefined, MaxResults: 1000, ...(token ? { NextToken: token } : {}) })));
      urls.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
    } while (token);
    const mine = urls.flatMap((url) => {
      const name = this.ctx.names.strip(physicalNameOf(url));
      return name === undefined || name.startsWith(internalPrefix) ? [] : [{ name, url }];
    });
    const entries = await Promise.all(mine.map(({ name, url }) => this.dir.read(name, url, 'list')));
    return entries.map((e) => e.config).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async send(queue: string, input: SendInput): Promise<SendResult> {
    const entry = await this.dir.entry(queue, 'send');
    checkMessage(queue, entry.config.maxMessageSize, input); // throws the entry's own error
    const [result] = await sendBatch(this.ctx, queue, entry, [input]);
    if (!result!.ok) throw deserializeError(result!.error!);
    return result!.value!;
  }

  async sendBatch(queue: string, inputs: SendInput[]): Promise<Array<BatchResultEntry<SendResult>>> {
    const entry = await this.dir.entry(queue, 'send');
    if (!Array.isArray(inputs)) throw new ValidationError(`Queue '${queue}': sendBatch takes an array of messages.`);
    if (inputs.length === 0) return [];
    return sendBatch(this.ctx, queue, entry, inputs);
  }

  async receive(queue: string, options?: ReceiveOptions): Promise<ReceivedMessage[]> {
    return receive(this.ctx, queue, await this.dir.url(queue, 'receive'), options);
  }

  /** Nothing to do: on SQS every receive is an attempt (see the top of this file). */
  async startAttempts(queue: string, receiptHandles: string[]): Promise<void> {
    await this.dir.url(queue, 'startAttempts');
    for (const handle of receiptHandles) checkHandle(queue, handle);
  }

  async delete(queue: string, receiptHandle: string): Promise<void> {
    checkHandle(queue, receiptHandle);
    const url = await this.dir.url(queue, 'delete');
    await call(this.ctx.at('sqs', 'delete', `queue "${queue}"`), () => this.ctx.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receiptHandle })));
  }

  async deleteBatch(queue: string, receiptHandles: string[]): Promise<Array<BatchResultEntry<void>>> {
    return deleteBatch(this.ctx, queue, await this.dir.url(queue, 'delete'), receiptHandles);
  }

  async changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutMs: number): Promise<void> {
    checkHandle(queue, receiptHandle);
    const ms = checkVisibility(queue, visibilityTimeoutMs);
    const url = await this.dir.url(queue, 'changeVisibility');
    await call(this.ctx.at('sqs', 'changeVisibility', `queue "${queue}"`), () =>
      this.ctx.clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.ceil(ms / 1000) })),
    );
  }

  /** Visibility to delayMs; the error cannot travel with an SQS message and is dropped (see the top of this file). */
  async release(queue: string, receiptHandle: string, options: { error?: unknown; delayMs?: number } = {}): Promise<{ deadLettered: boolean }> {
    const delayMs = options.delayMs ?? 0;
    if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > defaults.queue.maxVisibilityTimeoutMs) {
      throw new ValidationError(`Queue '${queue}': release delayMs ${show(delayMs)} is out of range; it must be a whole number of milliseconds from 0 to ${defaults.queue.maxVisibilityTimeoutMs} (12h).`);
    }
    await this.changeVisibility(queue, receiptHandle, delayMs);
    return { deadLettered: false };
  }

  /** Visible at once (ChangeMessageVisibilityBatch 0); the receive count stays: SQS cannot take it back. */
  async handBack(queue: string, receiptHandles: string[]): Promise<Array<BatchResultEntry<void>>> {
    return changeVisibilityBatch(this.ctx, queue, await this.dir.url(queue, 'changeVisibility'), receiptHandles, 0);
  }

  /** ChangeMessageVisibilityBatch for many handles at once (a runtime giving back a batch). */
  async changeVisibilityBatch(queue: string, receiptHandles: string[], visibilityTimeoutMs: number): Promise<Array<BatchResultEntry<void>>> {
    const ms = checkVisibility(queue, visibilityTimeoutMs);
    return changeVisibilityBatch(this.ctx, queue, await this.dir.url(queue, 'changeVisibility'), receiptHandles, ms);
  }

  async redrive(deadLetterQueue: string, options?: RedriveOptions): Promise<RedriveResult> {
    return redrive(this.ctx, this.dir, () => this.list(), deadLetterQueue, options);
  }

  peek(queue: string, options?: PeekOptions): Promise<PeekPage> {
    return peek(this.ctx, this.dir, queue, options);
  }

  async stats(queue: string): Promise<QueueStats> {
    const entry = await this.dir.entry(queue, 'stats');
    const depth = await this.depth(queue, entry.url);
    const stats: QueueStats = { queue, ...depth, oldestAgeMs: 0 };
    if (entry.config.deadLetter) {
      const dlq = await this.dir.entry(entry.config.deadLetter.queue, 'stats');
      const d = await this.depth(entry.config.deadLetter.queue, dlq.url);
      stats.deadLettered = d.visible + d.inFlight + d.delayed;
    }
    return stats;
  }

  async purge(queue: string): Promise<number> {
    const url = await this.dir.url(queue, 'purge');
    const { visible, inFlight, delayed } = await this.depth(queue, url);
    await call(this.ctx.at('sqs', 'purge', `queue "${queue}"`), () => this.ctx.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
    return visible + inFlight + delayed;
  }

  private async depth(queue: string, url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const out = await call(this.ctx.at('sqs', 'stats', `queue "${queue}"`), () =>
      this.ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] })),
    );
    const a = out.Attributes ?? {};
    return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0) };
  }
}
