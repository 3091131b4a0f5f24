/**
 * The SQS event a queue trigger hands its function, exactly as Lambda's SQS event source mapping
 * builds it (@types/aws-lambda SQSEvent): one record per message, string attributes, message
 * attributes typed 'String' or 'Number', and the MD5 of the body.
 */
import * as crypto from 'node:crypto';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { encodedEvent, type EncodedEvent } from '../../../ports/executor.ts';
import type { MessageAttributes, ReceivedMessage } from '../../../ports/queues.ts';
import { localAccount, localRegion } from './aws.ts';

export function queueArn(queue: string): string {
  return `arn:aws:sqs:${localRegion}:${localAccount}:${queue}`;
}

function messageAttributes(attributes: MessageAttributes): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = { stringValue: String(value), stringListValues: [], binaryListValues: [], dataType: typeof value === 'number' ? 'Number' : 'String' };
  }
  return out;
}

export function sqsRecord(queue: string, m: ReceivedMessage): SQSRecord {
  return record(queueArn(queue), localRegion, localAccount, m.messageId, m.receiptHandle, m.body, m.receiveCount, m.sentAt, m.firstReceivedAt, m.attributes);
}

/** crypto.hash (Node 20.12+, one call, no Hash object) where there is one. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function md5(body: string): string {
  return oneShot ? oneShot('md5', body, 'hex') : crypto.createHash('md5').update(body, 'utf8').digest('hex');
}

function record(arn: string, region: string, account: string, messageId: string, receiptHandle: string, body: string, receiveCount: number, sentAt: number, firstReceivedAt: number, attributes: MessageAttributes): SQSRecord {
  const r: SQSRecord = {
    messageId,
    receiptHandle,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(sentAt),
      SenderId: account,
      ApproximateFirstReceiveTimestamp: String(firstReceivedAt),
    },
    messageAttributes: messageAttributes(attributes),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  };
  // Hashed when first read (in its place among the properties): handlers seldom read it, and a
  // batch of the csv-pipeline's bodies (10 x 30 KB) took a tenth of its load step to hash.
  Object.defineProperty(r, builtWith, { value: body });
  Object.defineProperty(r, 'md5OfBody', md5OnRead);
  return r;
}

/**
 * The body each record was built with (its md5OfBody is of that body, whatever a handler does to
 * `body`): a property that is not enumerable, so JSON, spreads and Object.keys do not see it, and
 * that reads through whatever reaches the record (an object made with Object.create(record), a
 * Proxy of it), as md5OfBody's accessor does.
 */
const builtWith = Symbol('baton.sqs.builtWithBody');

/**
 * md5OfBody: an ordinary enumerable property once read or set; the first read hashes the body and
 * puts the value where the accessor is (the record, also when read through an object inheriting
 * from it or a Proxy of it). A record a handler froze or sealed before reading it cannot take the
 * value in place (its accessor is no longer configurable): the read still answers, hashing again
 * each time.
 */
const md5OnRead: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: SQSRecord & { [builtWith]: string }) {
    const value = md5(this[builtWith]);
    let holder: object | null = this;
    while (holder !== null && !Object.prototype.hasOwnProperty.call(holder, 'md5OfBody')) holder = Reflect.getPrototypeOf(holder);
    if (holder !== null) Reflect.defineProperty(holder, 'md5OfBody', { value, enumerable: true, configurable: true, writable: true });
    return value;
  },
  set(this: SQSRecord, value: string) {
    Object.defineProperty(this, 'md5OfBody', { value, enumerable: true, configurable: true, writable: true });
  },
};

/** The index `key` names in an array of `length` elements, or -1. */
function indexIn(key: string | symbol, length: number): number {
  if (typeof key !== 'string') return -1;
  const i = Number(key);
  return Number.isInteger(i) && i >= 0 && i < length && String(i) === key ? i : -1;
}

/**
 * The records of `messages` as an array that builds each record when it is first read: a run's
 * input summary (1 KiB) reads the first few of a batch of 100, so the other records are never built
 * (nor their bodies hashed) in this thread. Reads, `in`, keys and iteration see a plain array.
 */
function lazyRecords(arn: string, messages: readonly ReceivedMessage[]): SQSRecord[] {
  const built: SQSRecord[] = [];
  built.length = messages.length;
  const materialize = (target: SQSRecord[], key: string | symbol): void => {
    const i = indexIn(key, messages.length);
    if (i >= 0 && !(i in target)) {
      const m = messages[i]!;
      target[i] = record(arn, localRegion, localAccount, m.messageId, m.receiptHandle, m.body, m.receiveCount, m.sentAt, m.firstReceivedAt, m.attributes);
    }
  };
  return new Proxy(built, {
    get(target, key, receiver) {
      materialize(target, key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      materialize(target, key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      materialize(target, key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      for (let i = 0; i < messages.length; i++) materialize(target, String(i));
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * The event for a batch of messages. Its records are built only when read (lazyRecords), and it
 * carries its wire form (encodedEvent), which a worker turns into the same event
 * (sqsEventFromWire), so the thread that receives neither hashes the bodies (md5OfBody) nor
 * writes the records' JSON: the messages' other fields as one JSON array (each body's length in
 * its place), a line break, then the bodies as they are, one after another. The bodies are most
 * of the bytes and are JSON themselves, which JSON.stringify would escape quote by quote here and
 * JSON.parse unescape in the worker.
 */
export function sqsEvent(queue: string, messages: readonly ReceivedMessage[]): SQSEvent {
  const arn = queueArn(queue);
  const event: SQSEvent = { Records: lazyRecords(arn, messages) };
  const encoded: EncodedEvent = { decoder: 'sqs', wire: () => sqsWire(arn, messages) };
  Object.defineProperty(event, encodedEvent, { value: encoded });
  return event;
}

function sqsWire(arn: string, messages: readonly ReceivedMessage[]): string {
  const rows = messages.map((m): WireRow => [m.messageId, m.receiptHandle, m.body.length, m.receiveCount, m.sentAt, m.firstReceivedAt, hasAny(m.attributes) ? m.attributes : 0]);
  let wire = `${JSON.stringify([arn, localRegion, localAccount, rows])}\n`;
  for (const m of messages) wire += m.body;
  return wire;
}

function hasAny(attributes: MessageAttributes): boolean {
  for (const _ in attributes) return true;
  return false;
}

type WireRow = [messageId: string, receiptHandle: string, bodyLength: number, receiveCount: number, sentAt: number, firstReceivedAt: number, attributes: MessageAttributes | 0];

/** The event sqsEvent stands for, from its wire form: what a handler in a worker receives. */
export function sqsEventFromWire(wire: string): SQSEvent {
  const end = wire.indexOf('\n'); // JSON.stringify writes a line break in a string as \n: the first one ends the fields
  const [arn, region, account, rows] = JSON.parse(wire.slice(0, end)) as [string, string, string, WireRow[]];
  let at = end + 1;
  const Records = new Array<SQSRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [id, handle, length, receiveCount, sentAt, firstReceivedAt, attributes] = rows[i]!;
    const body = wire.slice(at, (at += length));
    Records[i] = record(arn, region, account, id, handle, body, receiveCount, sentAt, firstReceivedAt, attributes || {});
  }
  return { Records };
}

/**
 * The message ids a handler reported as failed (`{ batchItemFailures: [{ itemIdentifier }] }`).
 * As Lambda: a result that is not a partial-batch response means every message succeeded; an
 * entry naming no message of the batch (or an empty/invalid identifier) fails the whole batch.
 * Stream triggers use it with the records' sequence numbers (`idName`). The batch's ids are asked
 * for only when the result names some (most handlers return nothing).
 */
export function batchItemFailures(result: unknown, batchIds: () => ReadonlySet<string>, idName = 'message id'): { failed: Set<string> } | { wholeBatch: string } {
  if (result === null || typeof result !== 'object' || !('batchItemFailures' in result)) return { failed: new Set() };
  const list = (result as { batchItemFailures: unknown }).batchItemFailures;
  if (list === null || list === undefined) return { failed: new Set() };
  if (!Array.isArray(list)) return { wholeBatch: 'batchItemFailures is not an array' };
  const failed = new Set<string>();
  if (list.length === 0) return { failed };
  const ids = batchIds();
  for (const entry of list) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return { wholeBatch: `batchItemFailures names ${JSON.stringify(id) ?? String(id)}, which is not a ${idName} of this batch` };
    failed.add(id);
  }
  return { failed };
}
