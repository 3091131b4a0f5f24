import { defaults } from '../../../core/defaults.ts';
import { formatDuration } from '../../../core/duration.ts';
import { TooLargeError, ValidationError, show, type SerializedError } from '../../../core/errors.ts';
import { formatSize } from '../../../core/size.ts';
import type { MessageAttributes, ReceivedMessage, SendInput } from '../../../ports/queues.ts';
import type { MessageIds } from './message-id.ts';
import { encodeReceipt } from './receipt.ts';
import { col, readyExtra, type MessageRow, type ReadyTuple } from './rows.ts';

/**
 * What the quick size bound assumes for a numeric attribute: String() of a finite number is never
 * longer than 25 characters (e.g. "-1.2345678901234567e-123").
 */
const maxNumberChars = 32;

/**
 * Checks a message to send and returns its attributes as stored (JSON, or null when there are
 * none). Size is the body plus every attribute name and value, in UTF-8 bytes, as SQS counts it.
 * UTF-8 takes at most 3 bytes per UTF-16 code unit, so a message whose code units (times 3) fit
 * the limit is not measured byte by byte: only one near the limit is.
 */
export function checkMessage(queue: string, limit: number, input: SendInput): string | null {
  const body: unknown = input?.body;
  if (typeof body !== 'string') {
    throw new ValidationError(`Queue '${queue}': message body is ${show(body)}; it must be a string.`, { action: 'Serialize the payload, e.g. with JSON.stringify, before sending.' });
  }
  let units = body.length;
  let attributes: string | null = null;
  const attrs: MessageAttributes | undefined = input.attributes;
  if (attrs !== undefined && attrs !== null) {
    const names = Object.keys(attrs);
    for (const name of names) {
      const value: unknown = attrs[name];
      if (typeof value === 'string') units += value.length;
      else if (typeof value === 'number' && Number.isFinite(value)) units += maxNumberChars;
      else throw new ValidationError(`Queue '${queue}': message attribute '${name}' is ${show(value)}; attribute values must be strings or finite numbers.`);
      units += name.length;
    }
    if (names.length > 0) attributes = JSON.stringify(attrs);
  }
  if (3 * units > limit) {
    const size = messageBytes(body, attrs);
    if (size > limit) {
      throw new TooLargeError(
        `Message for queue '${queue}' is ${size} bytes (${formatSize(size)}, body plus attribute names and values in UTF-8), over the queue's limit of ${limit} bytes (${formatSize(limit)}).`,
        { action: `Put the payload in an object and send its key, or raise maxMessageSize of queue '${queue}' in baton.config.ts (at most ${formatSize(defaults.queue.maxMessageSizeCap)}).` },
      );
    }
  }
  return attributes;
}

/** The size of a checked message as SQS counts it: body, attribute names and values, in UTF-8 bytes. */
function messageBytes(body: string, attrs: MessageAttributes | undefined): number {
  let size = Buffer.byteLength(body, 'utf8');
  if (attrs !== undefined && attrs !== null) {
    for (const [name, value] of Object.entries(attrs)) {
      size += Buffer.byteLength(name, 'utf8') + (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : String(value).length);
    }
  }
  return size;
}

/** The delay to apply to a message: its own, or the queue's default. */
export function checkDelay(queue: string, delayMs: number | undefined, fallback: number): number {
  if (delayMs === undefined) return fallback;
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > defaults.queue.maxDelayMs) {
    throw new ValidationError(`Queue '${queue}': delayMs is ${show(delayMs)}; it must be from 0 to ${defaults.queue.maxDelayMs} (${formatDuration(defaults.queue.maxDelayMs)}).`);
  }
  return Math.round(delayMs);
}

/**
 * Parses stored attributes, remembering the last text parsed: messages of one batch mostly carry
 * the same attributes, and a copy of a parsed object is cheaper than parsing again. Every message
 * gets its own object (values are strings or numbers, so a shallow copy is a full one).
 */
export class AttributeReader {
  private text: string | null = null;
  private parsed: MessageAttributes = {};

  read(text: string | null): MessageAttributes {
    if (text === null) return {};
    if (text !== this.text) {
      this.parsed = JSON.parse(text) as MessageAttributes;
      this.text = text;
    }
    return { ...this.parsed };
  }
}

/** Builds the message a consumer sees from its row as read just before this receive leased it. */
export function toReceived(row: ReadyTuple, lease: { now: number; counted: boolean; attributes: AttributeReader; ids: MessageIds }): ReceivedMessage {
  const id = row[col.id];
  const extra = row[col.extra] === null ? undefined : readyExtra(row);
  const message: ReceivedMessage = {
    messageId: lease.ids.of(id, extra?.messageId),
    receiptHandle: encodeReceipt(id, row[col.leaseSeq] + 1),
    body: row[col.body],
    attributes: lease.attributes.read(row[col.attributes]),
    receiveCount: row[col.receiveCount] + 1,
    attempts: row[col.attempts] + (lease.counted ? 1 : 0),
    sentAt: row[col.sentAt]!,
    firstReceivedAt: row[col.firstReceivedAt] ?? lease.now,
  };
  if (extra?.lastError != null) message.lastError = JSON.parse(extra.lastError) as SerializedError;
  if (extra?.sourceQueue != null) message.sourceQueue = extra.sourceQueue;
  return message;
}

/** The message as it is stored, without a lease (what a redrive filter sees). */
export function toStored(row: MessageRow, ids: MessageIds): ReceivedMessage {
  const message: ReceivedMessage = {
    messageId: ids.of(row.id, row.message_id),
    receiptHandle: '',
    body: row.body,
    attributes: row.attributes === null ? {} : (JSON.parse(row.attributes) as MessageAttributes),
    receiveCount: row.receive_count,
    attempts: row.attempts,
    sentAt: row.sent_at,
    firstReceivedAt: row.first_received_at ?? 0,
  };
  if (row.last_error !== null) message.lastError = JSON.parse(row.last_error) as SerializedError;
  if (row.source_queue !== null) message.sourceQueue = row.source_queue;
  return message;
}
