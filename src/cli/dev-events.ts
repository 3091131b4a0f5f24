/**
 * The events of the dev loop: samples of each kind (`baton events <kind>`, as `sam local
 * generate-event`: s3, sqs, dynamodb, schedule, sns) and the event of a function's own trigger
 * (`baton invoke <fn> --trigger`), built from the app: its bucket rule, queue (with what feeds it),
 * table with its keys and view type, schedule with its rule ARN or fixed input, topic. Each is made
 * by the builder the trigger itself uses (runtime/triggers/events, core/s3-events.ts), so a sample
 * is what the trigger sends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AppSpec } from '../core/app.ts';
import { ValidationError } from '../core/errors.ts';
import type { TableConfig, StreamViewType } from '../core/resources/configs.ts';
import { s3Record, type S3EventName } from '../core/s3-events.ts';
import { localAccount, localRegion } from '../runtime/triggers/events/aws.ts';
import { dynamodbRecord } from '../runtime/triggers/events/dynamodb.ts';
import { tickEvent } from '../runtime/triggers/events/scheduled.ts';
import { snsEvent } from '../runtime/triggers/events/sns.ts';
import { sqsEvent } from '../runtime/triggers/events/sqs.ts';
import { jsonObjectArg } from './flags.ts';

export const eventKinds = ['s3', 'sqs', 'dynamodb', 'schedule', 'sns'] as const;
export type EventKind = (typeof eventKinds)[number];

/** What a sample may be told (each kind reads its own). */
export interface SampleOptions {
  bucket?: string;
  key?: string;
  size?: number;
  /** s3: an ObjectRemoved:Delete record instead of ObjectCreated:Put. */
  removed?: boolean;
  queue?: string;
  /** sqs: the message body; sns: the message. */
  body?: string;
  table?: string;
  /** dynamodb: the new image (JSON object text). */
  item?: string;
  /** dynamodb: the old image (JSON object text). */
  old?: string;
  eventName?: string;
  viewType?: string;
  schedule?: string;
  topic?: string;
  subject?: string;
}

const viewTypes: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

export function s3Event(o: SampleOptions, now: number, configurationId = 'notification-1'): { Records: unknown[] } {
  const eventName: S3EventName = o.removed ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put';
  const size = o.size ?? 1024;
  return {
    Records: [
      s3Record({
        bucket: o.bucket ?? 'example-bucket',
        key: o.key ?? 'test/key.json',
        eventName,
        at: now,
        seq: now,
        ...(o.removed ? {} : { size, etag: randomBytes(16).toString('hex') }),
        configurationId,
        region: localRegion,
        requestId: randomBytes(8).toString('hex').toUpperCase(),
        hostId: randomBytes(56).toString('base64'),
        principalId: 'BATON-LOCAL',
      }),
    ],
  };
}

export function sqsSample(queue: string, body: string, now: number): unknown {
  return sqsEvent(queue, [{ messageId: randomUUID(), receiptHandle: randomBytes(24).toString('base64url'), body, attributes: {}, receiveCount: 1, attempts: 1, sentAt: now, firstReceivedAt: now }]);
}

/** A stream event of one record: keys from the table's key schema (or --keys' guess: `id`), images as the view type keeps them. */
export function dynamodbSample(table: Pick<TableConfig, 'name' | 'partitionKey' | 'sortKey'>, viewType: StreamViewType, o: SampleOptions, now: number): unknown {
  const eventName = (o.eventName ?? (o.old !== undefined ? (o.item !== undefined ? 'MODIFY' : 'REMOVE') : 'INSERT')).toUpperCase();
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new ValidationError(`--event-name ${JSON.stringify(o.eventName)} is not a stream event name.`, { action: 'Use INSERT, MODIFY or REMOVE.' });
  }
  const keyNames = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  const sampleKey = Object.fromEntries(keyNames.map((k) => [k.name, k.type === 'number' ? 1 : 'sample-1']));
  const item = o.item !== undefined ? jsonObjectArg('item', o.item, '{"id":"a1","total":3}') : { ...sampleKey, message: 'New item!' };
  const old = o.old !== undefined ? jsonObjectArg('old image', o.old, '{"id":"a1","total":2}') : eventName === 'INSERT' ? undefined : { ...item, message: 'Old item' };
  const source = eventName === 'REMOVE' ? (old ?? item) : item;
  const keys: Record<string, string | number> = {};
  for (const k of keyNames) {
    const v = source[k.name];
    if (typeof v !== (k.type === 'number' ? 'number' : 'string')) {
      throw new ValidationError(`table "${table.name}": the item has no ${k.type} key attribute "${k.name}" (it has ${JSON.stringify(v)}).`, { action: `Give the item its key, e.g. --item '${JSON.stringify({ ...sampleKey, total: 3 })}'.` });
    }
    keys[k.name] = v as string | number;
  }
  const newImage = eventName === 'REMOVE' ? undefined : item;
  const withNew = viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
  const withOld = viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
  const record = dynamodbRecord({ sequence: 1, eventName, table: table.name, keys, createdAt: now, ...(withNew && newImage ? { newImage } : {}), ...(withOld && old ? { oldImage: old } : {}) }, viewType);
  return { Records: [record] };
}

/** The SNS notification JSON a topic delivers (an SQS subscriber's message body; the Sns of an SNS event). */
export function snsNotification(topic: string, message: string, subject: string | undefined, now: number): string {
  return JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), TopicArn: `arn:aws:sns:${localRegion}:${localAccount}:${topic}`, ...(subject !== undefined ? { Subject: subject } : {}), Message: message, Timestamp: new Date(now).toISOString() });
}

export function snsSample(topic: string, message: string, subject: string | undefined, subscription: string, now: number): unknown {
  return snsEvent(snsNotification(topic, message, subject, now), subscription);
}

function viewTypeOf(text: string | undefined): StreamViewType {
  const v = (text ?? 'NEW_AND_OLD_IMAGES').toUpperCase() as StreamViewType;
  if (!viewTypes.includes(v)) throw new ValidationError(`--view-type ${JSON.stringify(text)} is not a stream view type.`, { action: `Use one of ${viewTypes.join(', ')}.` });
  return v;
}

/** `baton events <kind>`: a sample event of that kind, needing no app. */
export function sampleEvent(kind: string, o: SampleOptions, now = Date.now()): unknown {
  switch (kind) {
    case 's3':
      return s3Event(o, now);
    case 'sqs':
      return sqsSample(o.queue ?? 'my-queue', o.body ?? 'Hello from SQS!', now);
    case 'dynamodb': {
      const item = o.item !== undefined ? jsonObjectArg('item', o.item, '{"id":"a1","total":3}') : undefined;
      // Without an app there is no key schema: the key is `id` (a string unless the item's id is a number).
      const type = typeof item?.id === 'number' ? 'number' : 'string';
      return dynamodbSample({ name: o.table ?? 'my-table', partitionKey: { name: 'id', type } }, viewTypeOf(o.viewType), o, now);
    }
    case 'schedule':
      return tickEvent({ name: o.schedule ?? 'my-schedule' }, now);
    case 'sns':
      return snsSample(o.topic ?? 'my-topic', o.body ?? 'Hello from SNS!', o.subject, randomUUID(), now);
    default:
      throw new ValidationError(`baton events: unknown kind ${JSON.stringify(kind)}.`, { action: `Use one of ${eventKinds.join(', ')}.` });
  }
}

/** Where a function's events come from, each with the event it would send. */
export interface TriggerSource {
  /** 'queue:orders', 'stream:orders', 'bucket:uploads', 'schedule:nightly', 'topic:alerts' */
  source: string;
  build(o: SampleOptions, now: number): unknown;
}

/**
 * What a queue's messages carry when something in the app sends to it: a bucket's S3 event
 * (S3 -> SQS), a topic's SNS notification (SNS -> SQS), a schedule's tick (EventBridge -> SQS);
 * else a plain text body.
 */
function queueFeed(spec: AppSpec, queue: string): (o: SampleOptions, now: number) => string {
  for (const b of spec.buckets) {
    const i = b.notifications.findIndex((n) => n.queue === queue);
    const n = b.notifications[i];
    if (n) return (o, now) => JSON.stringify(s3Event({ ...o, bucket: b.name, key: o.key ?? `${n.prefix ?? ''}sample${n.suffix ?? '.json'}`, removed: o.removed ?? !n.events.includes('created') }, now, n.id ?? `notification-${i + 1}`));
  }
  const topic = spec.topics.find((t) => t.subscribers.some((s) => s.kind === 'queue' && s.queue === queue && s.fn === undefined));
  if (topic) return (o, now) => snsNotification(topic.name, 'Hello from SNS!', o.subject, now);
  const schedule = spec.schedules.find((s) => s.target && 'queue' in s.target && s.target.queue === queue);
  if (schedule) return (_o, now) => JSON.stringify(tickEvent(schedule, now));
  return () => 'Hello from SQS!';
}

/** Every source that invokes `fn` in the app, in the order: its own triggers, buckets, schedules, topics. */
export function triggerSources(spec: AppSpec, fn: string): TriggerSource[] {
  const f = spec.fns.find((x) => x.name === fn);
  if (!f) throw new ValidationError(`fn "${fn}" is not declared in the app.`, { action: `Declared functions: ${spec.fns.map((x) => x.name).join(', ') || 'none'}.` });
  const out: TriggerSource[] = [];
  for (const t of f.triggers) {
    if (t.kind === 'queue') {
      const feed = queueFeed(spec, t.queue);
      out.push({ source: `queue:${t.queue}`, build: (o, now) => sqsSample(t.queue, o.body ?? feed(o, now), now) });
    } else {
      const table = spec.tables.find((x) => x.name === t.table);
      if (table) out.push({ source: `stream:${t.table}`, build: (o, now) => dynamodbSample(table, table.stream?.viewType ?? 'NEW_AND_OLD_IMAGES', o, now) });
    }
  }
  for (const b of spec.buckets) {
    b.notifications.forEach((n, i) => {
      if (n.target !== `fn:${fn}`) return;
      out.push({ source: `bucket:${b.name}`, build: (o, now) => s3Event({ ...o, bucket: b.name, key: o.key ?? `${n.prefix ?? ''}sample${n.suffix ?? '.json'}`, removed: o.removed ?? !n.events.includes('created') }, now, n.id ?? `notification-${i + 1}`) });
    });
  }
  for (const s of spec.schedules) {
    if (s.target && 'fn' in s.target && s.target.fn === fn) out.push({ source: `schedule:${s.name}`, build: (_o, now) => tickEvent(s, now) });
  }
  for (const t of spec.topics) {
    if (t.subscribers.some((s) => s.kind === 'queue' && s.fn === fn)) out.push({ source: `topic:${t.name}`, build: (o, now) => snsSample(t.name, o.body ?? 'Hello from SNS!', o.subject, `${fn}-subscription`, now) });
  }
  return out;
}

/** The event of `fn`'s trigger (`which`: a source such as 'queue:orders'; default its first), and a note when it had to choose. */
export function triggerEvent(spec: AppSpec, fn: string, which: string | undefined, o: SampleOptions, now = Date.now()): { source: string; event: unknown; note?: string } {
  const sources = triggerSources(spec, fn);
  if (sources.length === 0) {
    throw new ValidationError(`fn "${fn}" has no trigger (no queue or stream trigger, and no bucket, schedule or topic sends it events), so there is no event to build.`, {
      action: `Pass the event with --event <file> or --event-json <json>, or print a sample with baton events <${eventKinds.join('|')}>.`,
    });
  }
  const chosen = which === undefined ? sources[0]! : sources.find((s) => s.source === which);
  if (!chosen) throw new ValidationError(`fn "${fn}" has no trigger ${JSON.stringify(which)}.`, { action: `Its triggers: ${sources.map((s) => s.source).join(', ')}.` });
  const note = which === undefined && sources.length > 1 ? `fn "${fn}" has ${sources.length} triggers (${sources.map((s) => s.source).join(', ')}); using ${chosen.source}; pick one with --trigger <source>` : undefined;
  return { source: chosen.source, event: chosen.build(o, now), ...(note ? { note } : {}) };
}

/** The event a schedule would send `fn` when it is invoked with none (a scheduled handler gets a scheduled event, not {}). */
export function scheduledDefault(spec: AppSpec, fn: string, now = Date.now()): { source: string; event: unknown } | undefined {
  const s = spec.schedules.find((x) => x.target && 'fn' in x.target && x.target.fn === fn);
  return s ? { source: `schedule:${s.name}`, event: tickEvent(s, now) } : undefined;
}

