/**
 * pendingEvents and ackEvents over the internal `baton-events` queue that S3 notifies for rules
 * with a non-queue target (notifications.ts). Each record gets a numeric id for this process,
 * mapped to its message's receipt handle; a message is deleted once all its records are acked.
 * Records come back with the rule's own id as configurationId, otherwise as S3 wrote them.
 *
 * Unlike local's outbox: order is SQS standard queue order (best effort, not oldest first), and an
 * event returned but not acked is hidden for `holdMs` and then returned again (to this process or
 * another), instead of on every call. S3's s3:TestEvent messages are deleted and never returned.
 */
import { DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { S3EventRecord } from 'aws-lambda';
import { NotFoundError, ValidationError, show } from '../../../core/errors.ts';
import type { OutboxEvent } from '../../../ports/objects.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { decodeId, eventsQueue } from './notifications.ts';

const holdMs = 60_000;

interface Held {
  handle: string;
  open: Set<number>;
}

export class EventInbox {
  private url: string | undefined;
  private nextId = 1;
  private readonly held = new Map<number, Held>();

  constructor(private readonly ctx: AwsContext) {}

  private async queueUrl(): Promise<string | undefined> {
    if (this.url) return this.url;
    try {
      const out = await call(this.ctx.at('sqs', 'pendingEvents', `queue "${eventsQueue}"`), () => this.ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: this.ctx.names.queue(eventsQueue) })));
      return (this.url = out.QueueUrl);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined; // no bucket has a non-queue rule yet
      throw err;
    }
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError(`pendingEvents limit ${show(limit)} is not a positive whole number.`, { action: 'Pass a limit such as 100.' });
    }
    const url = await this.queueUrl();
    if (!url) return [];
    const out: OutboxEvent[] = [];
    const at = this.ctx.at('sqs', 'pendingEvents', `queue "${eventsQueue}"`);
    while (out.length < limit) {
      const got = await call(at, () => this.ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: Math.min(10, limit - out.length), VisibilityTimeout: holdMs / 1000, WaitTimeSeconds: 0 })));
      const messages = got.Messages ?? [];
      if (messages.length === 0) break;
      const empty: string[] = [];
      for (const m of messages) {
        const records = this.recordsOf(m.Body ?? '');
        if (records.length === 0) {
          empty.push(m.ReceiptHandle!);
          continue;
        }
        const held: Held = { handle: m.ReceiptHandle!, open: new Set() };
        for (const { target, record } of records) {
          const id = this.nextId++;
          held.open.add(id);
          this.held.set(id, held);
          out.push({ id, target, record });
        }
      }
      if (empty.length > 0) await this.remove(url, empty);
    }
    return out;
  }

  async ack(ids: number[]): Promise<void> {
    if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id))) {
      throw new ValidationError(`ackEvents takes event ids (whole numbers); got ${show(ids)}.`, { action: 'Pass the ids of events returned by pendingEvents.' });
    }
    const done: string[] = [];
    for (const id of ids) {
      const held = this.held.get(id);
      if (!held) continue;
      this.held.delete(id);
      held.open.delete(id);
      if (held.open.size === 0) done.push(held.handle);
    }
    const url = await this.queueUrl();
    if (url && done.length > 0) await this.remove(url, done);
  }

  private async remove(url: string, handles: string[]): Promise<void> {
    const at = this.ctx.at('sqs', 'ackEvents', `queue "${eventsQueue}"`);
    for (let i = 0; i < handles.length; i += 10) {
      const Entries = handles.slice(i, i + 10).map((h, j) => ({ Id: String(j), ReceiptHandle: h }));
      await call(at, () => this.ctx.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries })));
    }
  }

  /** The records of an S3 notification message, with the target and the rule's own id. */
  private recordsOf(body: string): Array<{ target: string; record: S3EventRecord }> {
    let parsed: { Records?: S3EventRecord[] };
    try {
      parsed = JSON.parse(body) as { Records?: S3EventRecord[] };
    } catch {
      return [];
    }
    return (parsed.Records ?? []).flatMap((record) => {
      const decoded = decodeId(record.s3?.configurationId ?? '');
      if (!decoded) return [];
      // The bucket keeps its physical name, as S3 wrote it (and as a deployed handler sees it).
      return [{ target: decoded.target, record: { ...record, s3: { ...record.s3, configurationId: decoded.id } } }];
    });
  }
}
