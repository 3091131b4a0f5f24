/**
 * The object port on the aws backend (S3, served by fauxqs on 127.0.0.1): the conformance suite,
 * skipping with the reason each case S3 or fauxqs cannot give, and tests of the hops fauxqs does
 * not perform: fauxqs delivers no S3 notifications, so the exact S3 event message a put would make
 * is put on the queue by the test ("as S3 would send it").
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAws } from '../../src/backends/aws/index.ts';
import { encodeId, ensureEventsQueue } from '../../src/backends/aws/objects/notifications.ts';
import { NotFoundError, StoreError } from '../../src/core/errors.ts';
import { runObjectConformance } from '../conformance/objects.ts';
import { queueConfig, rejection } from '../conformance/queues.ts';
import { awsTestCredentials, awsTestRegion, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const noNotifications = 'fauxqs delivers no S3 notifications (it takes PutBucketNotificationConfiguration as CreateBucket); the hop from S3 to the queue is covered below with the S3 event message put on the queue by the test';
const order = 'fauxqs sorts keys with localeCompare; S3 lists in UTF-8 byte order';

const skips = {
  'returns every key once, in UTF-8 byte order, across pages': order,
  'groups by delimiter into common prefixes': order,
  'starts after startAfter, also combined with prefix and continuation': order,
  'counts keys and common prefixes together toward maxKeys and pages through both without repeats': 'fauxqs repeats a common prefix across pages when maxKeys cuts inside it (S3 does not)',
  'writes an S3 event record to the outbox for a matching rule, filtered by prefix and suffix': noNotifications,
  'removed events: ObjectRemoved:Delete without size or eTag; none for a missing key': noNotifications,
  'a copy is ObjectCreated:Copy; each matching rule gets its own record; sequencers increase per key': noNotifications,
  'pendingEvents returns oldest first up to a limit; ackEvents clears them': `${noNotifications}; and SQS order is best effort, not oldest first`,
  'delivers to a queue as an S3 event message, with the key URL-encoded as S3 does': noNotifications,
  'keys with spaces and unicode arrive encoded and decode back': noNotifications,
};

runObjectConformance('aws (S3 on fauxqs)', () => makeAwsBackend(), skips);

/** An S3 event message for a put, as S3 sends it to a queue (event structure 2.1). */
function s3PutMessage(bucket: string, key: string, configurationId: string, size: number, eTag: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: awsTestRegion,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size, eTag, sequencer: '0055AED6DCD90281E5' },
        },
      },
    ],
  });
}

describe('aws object store on S3', () => {
  let h: AwsHarness;
  const requests: string[] = [];

  beforeEach(() => {
    requests.length = 0;
    h = makeAwsBackend({ onRequest: (_s, command) => requests.push(command) });
  });
  afterEach(async () => {
    await h.close();
  });

  it('S3 event message for a function target (put on the internal events queue as S3 would send it): pendingEvents returns it with the target and the rule id; ackEvents deletes it', async () => {
    const { objects } = h.backend;
    await objects.declare({ name: 'inbox', notifications: [{ id: 'json-in', events: ['created'], prefix: 'incoming/', suffix: '.json', target: 'fn:ingest' }] });
    const head = await objects.put('inbox', 'incoming/a b.json', '{"x":1}');
    const events = await ensureEventsQueue(h.backend.context);
    const sqs = h.backend.context.clients.sqs;
    await sqs.send(new SendMessageCommand({ QueueUrl: events.url, MessageBody: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: `${h.prefix}inbox` }) }));
    const physical = `${h.prefix}inbox`;
    await sqs.send(new SendMessageCommand({ QueueUrl: events.url, MessageBody: s3PutMessage(physical, 'incoming/a b.json', encodeId('json-in', 'fn:ingest'), head.size, head.etag.replace(/"/g, '')) }));
    const pending = await objects.pendingEvents();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.target).toBe('fn:ingest');
    expect(pending[0]!.record).toMatchObject({ eventName: 'ObjectCreated:Put', s3: { configurationId: 'json-in', bucket: { name: physical }, object: { key: 'incoming/a+b.json', size: 7 } } });
    expect(`"${pending[0]!.record.s3.object.eTag}"`).toBe(head.etag);
    await objects.ackEvents(pending.map((e) => e.id));
    expect(await objects.pendingEvents()).toEqual([]);
  });

  it('S3 event message for a queue target (put on the queue as S3 would send it) is received as the S3 message body', async () => {
    const { objects, queues } = h.backend;
    await queues.declare(queueConfig('uploads'));
    await objects.declare({ name: 'drop', notifications: [{ id: 'to-queue', events: ['created'], queue: 'uploads' }] });
    expect(requests).toContain('PutBucketNotificationConfigurationCommand');
    const head = await objects.put('drop', 'in/x.json', 'payload');
    const url = (await h.backend.context.clients.sqs.send(new (await import('@aws-sdk/client-sqs')).GetQueueUrlCommand({ QueueName: `${h.prefix}uploads` }))).QueueUrl!;
    await h.backend.context.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: s3PutMessage(`${h.prefix}drop`, 'in/x.json', 'to-queue', head.size, head.etag.replace(/"/g, '')) }));
    const [m] = await queues.receive('uploads');
    const record = (JSON.parse(m!.body) as { Records: Array<{ s3: { configurationId: string; object: { key: string } } }> }).Records[0]!;
    expect(record.s3.configurationId).toBe('to-queue');
    expect(record.s3.object.key).toBe('in/x.json');
  });

  it('declare is idempotent: a second declare keeps the objects and the configuration', async () => {
    const { objects } = h.backend;
    await objects.declare({ name: 'data', notifications: [] });
    await objects.put('data', 'k', 'v');
    await objects.declare({ name: 'data', notifications: [] });
    expect((await objects.get('data', 'k')).body.toString()).toBe('v');
  });

  it('streams a Readable of unknown length (buffered into one PutObject) and getStream streams it back', async () => {
    const { objects } = h.backend;
    await objects.declare({ name: 'data', notifications: [] });
    const { Readable } = await import('node:stream');
    const head = await objects.put('data', 'stream', Readable.from(['a', 'b', 'c']), { contentType: 'text/plain', metadata: { run: randomUUID() } });
    expect(head.size).toBe(3);
    expect(requests.filter((c) => c === 'PutObjectCommand')).toHaveLength(1);
    const { body } = await objects.getStream('data', 'stream');
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(Buffer.from(c as Buffer));
    expect(Buffer.concat(parts).toString()).toBe('abc');
    expect(h.backend.objects.localPath).toBeUndefined();
  });

  it('an unknown bucket is a NotFoundError saying to declare it', async () => {
    const err = await rejection(h.backend.objects.list('nope'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toMatch(/"nope".*Declare it/s);
  });

  it('an endpoint that does not answer is a StoreError saying so', async () => {
    const dead = openAws({ region: awsTestRegion, credentials: awsTestCredentials, endpoint: 'http://127.0.0.1:9', prefix: h.prefix }, {});
    try {
      const err = await rejection(dead.objects.head('data', 'k'));
      expect(err).toBeInstanceOf(StoreError);
      expect(err.message).toContain('http://127.0.0.1:9 does not answer');
    } finally {
      await dead.close();
    }
  });
});
