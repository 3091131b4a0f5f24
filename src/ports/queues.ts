/**
 * The queue port: at-least-once queues with SQS semantics.
 *
 * A message is in one of these states:
 *   delayed   sent with a delay that has not passed; not receivable yet
 *   visible   receivable
 *   in flight received under a lease (receipt handle) until its visibility timeout passes
 *   gone      deleted by its current lease holder, expired past retention, or moved to the DLQ
 *
 * Leases are fenced: every receive issues a new receipt handle, and deleting, extending or
 * releasing with an older handle fails with StaleReceiptError, so a consumer that outlived its
 * lease can never delete a message someone else now holds.
 *
 * Attempts: a receive normally counts as an attempt. A runtime that may receive more than it can
 * start (a throttled trigger) receives with `countAttempt: false` and calls `startAttempts` when a
 * handler really starts, so messages are never dead-lettered without having run (SQS counts every
 * receive: see the aws store). What it received and could not start it gives back with `handBack`.
 * When a message with `attempts >= maxReceiveCount` fails (released with an error) or its lease
 * expires, it moves to the queue's dead-letter queue in the same transaction, keeping its source
 * queue, attempts and last error.
 *
 * Left out on purpose: FIFO groups and deduplication ids (not needed by the pipelines Baton targets
 * yet), and purge-by-receipt semantics beyond SQS's.
 */
import type { SerializedError } from '../core/errors.ts';
import type { QueueConfig } from '../core/resources/configs.ts';

export type { QueueConfig } from '../core/resources/configs.ts';

export type MessageAttributes = Record<string, string | number>;

export interface SendInput {
  body: string;
  attributes?: MessageAttributes;
  delayMs?: number;
}

export interface SendResult {
  messageId: string;
}

export interface BatchResultEntry<T> {
  index: number;
  ok: boolean;
  value?: T;
  error?: SerializedError;
}

export interface ReceiveOptions {
  /** At most this many messages (default 10). */
  maxMessages?: number;
  /** Overrides the queue's visibility timeout for these messages. */
  visibilityTimeoutMs?: number;
  /** Long poll: wait up to this long for a first message (default 0: return at once). */
  waitMs?: number;
  /**
   * false: do not count this receive as an attempt; call startAttempts when a handler starts.
   * `attempts` of each message received then does not include this receive (on every backend).
   */
  countAttempt?: boolean;
  signal?: AbortSignal;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: MessageAttributes;
  /** Times this message was received (as SQS ApproximateReceiveCount). */
  receiveCount: number;
  /** Times a handler started on it; what maxReceiveCount is compared with. */
  attempts: number;
  sentAt: number;
  firstReceivedAt: number;
  /** The last error recorded for it (by release), if any. */
  lastError?: SerializedError;
  /** For a message in a dead-letter queue: the queue it came from. */
  sourceQueue?: string;
}

export interface QueueStats {
  queue: string;
  /** Visible messages, ready to receive. */
  visible: number;
  inFlight: number;
  delayed: number;
  /** Age in ms of the oldest message in the queue (any state), 0 when empty. */
  oldestAgeMs: number;
  /** Depth of this queue's dead-letter queue, when it has one. */
  deadLettered?: number;
}

export interface RedriveOptions {
  /** Move at most this many messages. */
  max?: number;
  /** Only messages for which this returns true. */
  filter?: (message: ReceivedMessage) => boolean;
  /** Report what would move without moving anything. */
  dryRun?: boolean;
  /** Destination; default each message's source queue. */
  to?: string;
}

export interface RedriveResult {
  moved: number;
  /** The messages moved (or that would move, on a dry run). */
  messages: Array<{ messageId: string; sourceQueue: string | undefined; to: string; attempts: number; lastError?: SerializedError }>;
}

export interface PeekOptions {
  /** At most this many messages (default 50). */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

/** A message as listed by peek: what receive would hand out, without a lease, and its state. */
export interface PeekedMessage extends Omit<ReceivedMessage, 'receiptHandle'> {
  state: 'visible' | 'inFlight' | 'delayed';
}

export interface PeekPage {
  items: PeekedMessage[];
  /** Pass as `cursor` for the next page; null when there are no more. */
  next: string | null;
}

export interface QueueStore {
  /** Creates or updates a queue. Idempotent. */
  declare(config: QueueConfig): Promise<void>;
  list(): Promise<QueueConfig[]>;
  send(queue: string, input: SendInput): Promise<SendResult>;
  /** Sends many in one transaction; an invalid entry fails alone. */
  sendBatch(queue: string, inputs: SendInput[]): Promise<Array<BatchResultEntry<SendResult>>>;
  receive(queue: string, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Counts an attempt for messages received with countAttempt: false. */
  startAttempts(queue: string, receiptHandles: string[]): Promise<void>;
  delete(queue: string, receiptHandle: string): Promise<void>;
  deleteBatch(queue: string, receiptHandles: string[]): Promise<Array<BatchResultEntry<void>>>;
  /**
   * Gives back messages no handler started on (a batch received but not started: the engine is
   * stopping): visible again at once, each lease kept as by changeVisibility(0), and the attempt
   * this lease counted, if it counted one (a receive without countAttempt: false, or startAttempts),
   * taken back, so a batch handed back unrun costs no attempt; a lease that counted none leaves
   * the attempts as they were. One result per handle, in order; a stale handle fails alone
   * (StaleReceiptError). On SQS the receive count cannot be taken back (every receive counts there).
   */
  handBack(queue: string, receiptHandles: string[]): Promise<Array<BatchResultEntry<void>>>;
  /** Sets the message's visibility to now + ms (heartbeat, or 0 to make it visible now). */
  changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutMs: number): Promise<void>;
  /**
   * Gives a message back after a failed attempt: records the error and makes it visible after
   * `delayMs` (default 0), or moves it to the DLQ at once when its attempts are used up.
   */
  release(queue: string, receiptHandle: string, options?: { error?: unknown; delayMs?: number }): Promise<{ deadLettered: boolean }>;
  redrive(deadLetterQueue: string, options?: RedriveOptions): Promise<RedriveResult>;
  stats(queue: string): Promise<QueueStats>;
  /**
   * Lists messages without receiving them (no attempt counted, no lease taken), oldest first, a page
   * at a time (the dashboard's DLQ view). Unknown queue: NotFoundError; bad cursor or limit:
   * ValidationError.
   */
  peek(queue: string, options?: PeekOptions): Promise<PeekPage>;
  /** Deletes every message in the queue. */
  purge(queue: string): Promise<number>;
}
