/**
 * Delivering a file or webhook subscriber's messages from its inbox (inbox.ts): receive up to 10
 * (long-polling 1 s, so an empty receive means empty, not an unlucky short poll), deliver each with
 * the same attempts, backoff and timeout as the local backend (shared/topics/retry.ts; the webhook
 * POST and the file append are local's own, shared/topics/deliver-*.ts), then delete what was
 * delivered or given up, and loop until a receive finds nothing.
 *
 * The body delivered is exactly what SNS put in the inbox: its notification JSON, as SNS would POST
 * it to an HTTP subscriber. A file's messages are appended one after another in SNS's Timestamp
 * order within each receive (SQS standard queues keep no strict order across receives); a
 * webhook's are posted side by side. Each receive hides its messages for the longest the batch can
 * take (every attempt's timeout and backoff, plus a margin; at most SQS's 12 h), so no other
 * process delivers them meanwhile; a process that dies leaves them to reappear and be delivered by
 * the next flush (at least once; receivers can dedupe by MessageId), attempts counted afresh.
 * Drains of one inbox in this process run one after another.
 */
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { defaults } from '../../../core/defaults.ts';
import { serializeError } from '../../../core/errors.ts';
import type { Subscriber } from '../../../ports/topics.ts';
import { subscriberId } from '../../shared/topics/config.ts';
import { FileAppender } from '../../shared/topics/deliver-file.ts';
import { AttemptError, postNotification } from '../../shared/topics/deliver-webhook.ts';
import { leaseFor } from '../../shared/topics/lease.ts';
import { backoff, policyOf } from '../../shared/topics/retry.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { changeVisibilityBatch, deleteBatch } from '../queues/batch.ts';
import type { Inbox } from './inbox.ts';
import type { DeliveryLog } from './log.ts';

export type Outbound = Extract<Subscriber, { kind: 'file' | 'webhook' }>;

export interface DrainJob {
  topic: string;
  subscriber: Outbound;
  inbox: Inbox;
}

interface Notification {
  messageId: string;
  topicArn: string;
  timestamp: string;
  body: string;
}

const maxBatch = 10;

/** How long one receive of `subscriber`'s inbox must hide its messages. */
export function visibilityMs(subscriber: Outbound): number {
  const policy = policyOf(subscriber);
  let one = 0;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) one += leaseFor(subscriber) + (attempt < policy.attempts ? backoff(policy, attempt) : 0);
  return Math.min(subscriber.kind === 'file' ? one * maxBatch : one, defaults.queue.maxVisibilityTimeoutMs);
}

function parse(message: Message): Notification | undefined {
  try {
    const n = JSON.parse(message.Body ?? '') as { MessageId?: unknown; TopicArn?: unknown; Timestamp?: unknown; Message?: unknown };
    if (typeof n.MessageId !== 'string' || typeof n.TopicArn !== 'string' || typeof n.Message !== 'string') return undefined;
    return { messageId: n.MessageId, topicArn: n.TopicArn, timestamp: typeof n.Timestamp === 'string' ? n.Timestamp : '', body: message.Body! };
  } catch {
    return undefined;
  }
}

/** A filesystem error (ENOSPC, EACCES, ...): a failed attempt, as on local. */
function isFsError(err: unknown): err is Error {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

export class Drainer {
  private readonly files: FileAppender;
  private readonly chains = new Map<string, Promise<void>>();
  /** Per inbox: messages this process has received and not yet deleted or given back. */
  private readonly holding = new Map<string, number>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly ctx: AwsContext,
    private readonly log: DeliveryLog,
  ) {
    this.files = new FileAppender(ctx.filesDir);
  }

  held(inbox: string): number {
    return this.holding.get(inbox) ?? 0;
  }

  /** Drains the inbox until it is empty; after the drain of it already running, if any. */
  drain(job: DrainJob): Promise<void> {
    const name = job.inbox.name;
    const previous = this.chains.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.run(job));
    this.chains.set(name, next);
    const forget = () => {
      if (this.chains.get(name) === next) this.chains.delete(name);
    };
    next.then(forget, forget);
    return next;
  }

  /** Stops: deliveries under way end, their messages go back to the inbox for the next flush. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the topic store stopped'));
    await Promise.allSettled([...this.chains.values()]);
  }

  private async run(job: DrainJob): Promise<void> {
    const { signal } = this.stopping;
    const at = this.ctx.at('sqs', 'flush', `inbox queue "${job.inbox.name}" of topic "${job.topic}"`);
    const visibility = Math.ceil(visibilityMs(job.subscriber) / 1000);
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const out = await call(at, () =>
          this.ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: job.inbox.url, MaxNumberOfMessages: maxBatch, WaitTimeSeconds: 1, VisibilityTimeout: visibility }), { abortSignal: signal }),
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (messages.length === 0) return;
      this.hold(job.inbox.name, messages.length);
      try {
        await this.deliverBatch(job, messages, signal);
      } finally {
        this.hold(job.inbox.name, -messages.length);
      }
    }
  }

  private async deliverBatch(job: DrainJob, messages: Message[], signal: AbortSignal): Promise<void> {
    const items = messages.map((m) => ({ handle: m.ReceiptHandle!, note: parse(m) }));
    // Stable: messages of the same millisecond keep the order SQS returned them in.
    items.sort((a, b) => {
      const x = a.note?.timestamp ?? '';
      const y = b.note?.timestamp ?? '';
      return x < y ? -1 : x > y ? 1 : 0;
    });
    let outcomes: Array<'done' | 'release'>;
    if (job.subscriber.kind === 'file') {
      outcomes = [];
      for (const item of items) outcomes.push(await this.deliver(job, item.note, signal));
    } else {
      outcomes = await Promise.all(items.map((item) => this.deliver(job, item.note, signal)));
    }
    const done = items.filter((_, i) => outcomes[i] === 'done').map((i) => i.handle);
    const back = items.filter((_, i) => outcomes[i] === 'release').map((i) => i.handle);
    // A failed delete only repeats the delivery on a later flush (at least once).
    if (done.length > 0) await deleteBatch(this.ctx, job.inbox.name, job.inbox.url, done);
    if (back.length > 0) await changeVisibilityBatch(this.ctx, job.inbox.name, job.inbox.url, back, 0).catch(() => undefined);
  }

  /** One message to its subscriber, with retries: 'done' when delivered or given up, 'release' when stopped. */
  private async deliver(job: DrainJob, note: Notification | undefined, signal: AbortSignal): Promise<'done' | 'release'> {
    const record = this.log.start(job.topic, subscriberId(job.subscriber));
    if (!note) {
      this.log.finish(record, 'failed', 'the inbox message is not an SNS notification (sent to the inbox by something other than the topic)');
      return 'done';
    }
    const policy = policyOf(job.subscriber);
    const release = () => {
      this.log.drop(record);
      return 'release' as const;
    };
    while (record.attempts < policy.attempts) {
      if (signal.aborted) return release();
      record.attempts++;
      try {
        await this.attempt(job.subscriber, note, signal);
        this.log.finish(record, 'delivered');
        return 'done';
      } catch (err) {
        if (signal.aborted) return release();
        if (!(err instanceof AttemptError) && !isFsError(err)) {
          this.log.finish(record, 'failed', `unexpected error: ${serializeError(err).message}`);
          return 'done';
        }
        record.lastError = err.message;
      }
      if (record.attempts >= policy.attempts) break;
      try {
        await this.ctx.clock.sleep(backoff(policy, record.attempts), signal);
      } catch (err) {
        if (signal.aborted) return release();
        throw err;
      }
    }
    this.log.finish(record, 'failed', record.lastError ?? 'no attempts left');
    return 'done';
  }

  private attempt(subscriber: Outbound, note: Notification, signal: AbortSignal): Promise<void> {
    if (subscriber.kind === 'file') return this.files.append(subscriber.path, note.body);
    return postNotification(subscriber, note.topicArn, note.messageId, note.body, signal);
  }

  private hold(inbox: string, by: number): void {
    const n = (this.holding.get(inbox) ?? 0) + by;
    if (n > 0) this.holding.set(inbox, n);
    else this.holding.delete(inbox);
  }
}
