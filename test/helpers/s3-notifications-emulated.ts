/**
 * Stands in for S3's event notifications, which the test server lacks: fauxqs 1.9.2 accepts a
 * bucket's notification configuration and delivers nothing (test/aws/objects.fauxqs.test.ts).
 * That gap is the emulator's, not Baton's: on AWS, S3 itself sends these messages.
 *
 * emulateS3Notifications(backend, buckets) wraps an aws backend's object store so that each put,
 * copy and delete that matches one of the bucket's notification rules sends, after the change,
 * the message S3 would send for it (event message structure 2.1, one message with one record per
 * matching rule): the physical bucket name and ARN, the key URL-encoded as S3 encodes it, size and
 * eTag for created objects only, an increasing sequencer, and the rule's id as configurationId. A
 * rule with a queue sends to that queue; any other target to Baton's internal events queue, with
 * the id the aws backend gave that rule's QueueConfiguration (encodeId), as S3 would.
 *
 * Only calls made through the wrapped store notify: the demo's own uploads. Objects written by
 * handlers in worker threads (through connect()) do not; the examples have no rule for those.
 */
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { S3EventRecord } from 'aws-lambda';
import type { AwsBackend } from '../../src/backends/aws/index.ts';
import { encodeId, eventsQueue } from '../../src/backends/aws/objects/notifications.ts';
import type { Backend } from '../../src/ports/backend.ts';
import type { BucketConfig, BucketNotification, ObjectStore } from '../../src/ports/objects.ts';
import type { DemoContext, DemoResult } from '../../src/runtime/demo.ts';
import { awsTestCredentials, awsTestEndpoints, awsTestRegion, freshPrefix } from './aws.ts';

type EventName = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectRemoved:Delete';

/** What the emulation sent: for the test's own checks. */
export interface EmulatedNotification {
  queue: string;
  bucket: string;
  key: string;
  eventName: EventName;
  configurationId: string;
}

const keep = /[A-Za-z0-9.\-_*/]/;

/** A key as S3 writes it in event records: form encoding, '/' kept, space as '+', other bytes %XX. */
export function s3EventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (byte < 128 && keep.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function matches(rule: BucketNotification, key: string, eventName: EventName): boolean {
  if (!rule.events.includes(eventName.startsWith('ObjectCreated:') ? 'created' : 'removed')) return false;
  if (rule.prefix !== undefined && !key.startsWith(rule.prefix)) return false;
  return rule.suffix === undefined || key.endsWith(rule.suffix);
}

export function emulateS3Notifications(backend: AwsBackend, buckets: readonly BucketConfig[]): { backend: Backend; sent: EmulatedNotification[] } {
  const { context } = backend;
  const inner = backend.objects;
  const sent: EmulatedNotification[] = [];
  const urls = new Map<string, string>();
  let seq = 0;

  const queueUrl = async (name: string): Promise<string> => {
    let url = urls.get(name);
    if (!url) {
      url = (await context.clients.sqs.send(new GetQueueUrlCommand({ QueueName: context.names.queue(name) }))).QueueUrl!;
      urls.set(name, url);
    }
    return url;
  };

  const notify = async (bucket: string, key: string, eventName: EventName, head?: { size: number; etag: string }): Promise<void> => {
    const config = buckets.find((b) => b.name === bucket);
    if (!config) return;
    const physical = context.names.bucket(bucket);
    seq++;
    for (const [i, rule] of config.notifications.entries()) {
      if (!matches(rule, key, eventName)) continue;
      // The rule's id as Baton names it (ruleId in the backends): its own, else notification-<n>.
      const id = rule.id ?? `notification-${i + 1}`;
      const queue = rule.queue ?? eventsQueue;
      const configurationId = rule.queue !== undefined ? id : encodeId(id, rule.target ?? '');
      const object = head ? { key: s3EventKey(key), size: head.size, eTag: head.etag.replace(/"/g, ''), sequencer: seq.toString(16).toUpperCase().padStart(16, '0') } : { key: s3EventKey(key), sequencer: seq.toString(16).toUpperCase().padStart(16, '0') };
      const record = {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: context.region,
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
        s3: { s3SchemaVersion: '1.0', configurationId, bucket: { name: physical, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${physical}` }, object },
      } as S3EventRecord;
      await context.clients.sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl(queue), MessageBody: JSON.stringify({ Records: [record] }) }));
      sent.push({ queue, bucket: physical, key, eventName, configurationId });
    }
  };

  const overrides: Partial<ObjectStore> = {
    async put(bucket, key, body, input) {
      const head = await inner.put(bucket, key, body, input);
      await notify(bucket, key, 'ObjectCreated:Put', head);
      return head;
    },
    async copy(from, to) {
      const head = await inner.copy(from, to);
      await notify(to.bucket, to.key, 'ObjectCreated:Copy', head);
      return head;
    },
    async delete(bucket, key) {
      // A removal only for an object that was there, as local's outbox sends it (no example relies on S3's choice for a missing key).
      const existed = await inner.head(bucket, key).then(
        () => true,
        () => false,
      );
      await inner.delete(bucket, key);
      if (existed) await notify(bucket, key, 'ObjectRemoved:Delete');
    },
  };
  const objects = new Proxy(inner, {
    get(target, prop, receiver) {
      const own = (overrides as Record<PropertyKey, unknown>)[prop];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { backend: { ...backend, objects }, sent };
}

/**
 * Runs an example's demo at its test size on the aws backend against the test servers, with a fresh
 * prefix and the S3 notifications fauxqs lacks emulated for the app's buckets; returns the demo's
 * result, its log lines, the prefix, and the S3 event messages the stand-in sent.
 */
export async function runDemoOnAws(
  demo: (ctx: DemoContext) => Promise<DemoResult>,
  buckets: readonly BucketConfig[],
  dir: string,
): Promise<{ result: DemoResult; lines: string[]; prefix: string; sent: EmulatedNotification[] }> {
  const lines: string[] = [];
  let sent: EmulatedNotification[] = [];
  const prefix = freshPrefix();
  const result = await demo({
    dir,
    small: true,
    log: (line) => lines.push(line),
    backend: 'aws',
    aws: { region: awsTestRegion, credentials: awsTestCredentials, endpoints: awsTestEndpoints(), prefix },
    wrapBackend: (backend) => {
      const emulated = emulateS3Notifications(backend as AwsBackend, buckets);
      sent = emulated.sent;
      return emulated.backend;
    },
  });
  return { result, lines, prefix, sent };
}
