/**
 * The topic port on the aws backend (SNS and SQS served by fauxqs on 127.0.0.1): the conformance
 * suite, skipping with the reason each case SNS cannot give, and aws tests of what those cases
 * would have covered (the notification's shape) and of what only the aws store does (inboxes,
 * subscriptions, tags).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, TooLargeError } from '../../src/core/errors.ts';
import type { PublishInput, Subscriber } from '../../src/ports/topics.ts';
import { snsEvent } from '../../src/runtime/triggers/events/sns.ts';
import { queueConfig } from '../conformance/queues.ts';
import { runTopicConformance } from '../conformance/topics.ts';
import { makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';
import { drive } from '../helpers/drive.ts';
import { makeLocalBackend } from '../helpers/local.ts';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.ts';

const snsEnvelope = "SNS writes the notification: its Timestamp is SNS's clock, not the fake clock, its TopicArn has the physical name (the prefix), and it adds SNS's signature fields; the shape is checked field by field below";

const skips = {
  'receive the SNS notification as the message body': snsEnvelope,
  'leave out Subject and MessageAttributes when the message has none, as SNS':
    'fauxqs writes "Subject": null and "MessageAttributes": {} for a message without them (real SNS leaves both out), and SNS adds its signature fields; covered below',
  'topics and delivery statuses survive a reopen':
    'SNS and SQS keep no delivery history: delivered and failed statuses live in the memory of the process that delivered (topics themselves do survive: tested below)',
};

runTopicConformance('aws (SNS on fauxqs)', () => makeAwsBackend(), skips);

describe('aws topic store on SNS', () => {
  let h: AwsHarness;
  let dir: string;
  const servers: WebhookServer[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-topics-aws-'));
    h = makeAwsBackend({ filesDir: dir });
  });
  afterEach(async () => {
    await drive(h.clock, h.backend.topics.flush());
    await h.close();
    for (const s of servers.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function server(respond: (n: number) => number): Promise<WebhookServer> {
    const s = await startWebhookServer(respond, () => h.clock.now());
    servers.push(s);
    return s;
  }

  async function arnOf(topic: string): Promise<string> {
    const out = await h.backend.context.clients.sns.send(new ListTopicsCommand({}));
    const arn = out.Topics?.map((t) => t.TopicArn!).find((a) => a.endsWith(`:${h.prefix}${topic}`));
    expect(arn).toBeDefined();
    return arn!;
  }

  async function subscriptions(topic: string): Promise<string[]> {
    const out = await h.backend.context.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: await arnOf(topic) }));
    return (out.Subscriptions ?? []).map((s) => `${s.Protocol} ${s.Endpoint!.slice(s.Endpoint!.lastIndexOf(':') + 1)}`).sort();
  }

  describe('a queue subscriber receives what a local queue subscriber would', () => {
    async function bodies(input: PublishInput): Promise<{ local: Record<string, unknown>; aws: Record<string, unknown>; awsId: string; localId: string }> {
      const local = makeLocalBackend();
      try {
        for (const b of [local.backend, h.backend]) {
          await b.queues.declare(queueConfig('inbox'));
          await b.topics.declare({ name: 'alerts', subscribers: [{ kind: 'queue', queue: 'inbox' }] });
        }
        const localId = (await local.backend.topics.publish('alerts', input)).messageId;
        const awsId = (await h.backend.topics.publish('alerts', input)).messageId;
        const [l] = await local.backend.queues.receive('inbox');
        const [a] = await h.backend.queues.receive('inbox');
        return { local: JSON.parse(l!.body) as Record<string, unknown>, aws: JSON.parse(a!.body) as Record<string, unknown>, awsId, localId };
      } finally {
        await local.close();
      }
    }

    it("with subject and attributes: every field of local's body, with the same values but SNS's id, ARN and time; besides them only SNS's signature fields", async () => {
      const before = Date.now();
      const { local, aws, awsId } = await bodies({ message: '{"order":42}', subject: 'New order', attributes: { source: 'shop' } });
      expect(Object.keys(local).sort()).toEqual(['Message', 'MessageAttributes', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']);
      expect(aws).toMatchObject({ ...local, MessageId: awsId, TopicArn: await arnOf('alerts'), Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
      expect(Date.parse(aws.Timestamp as string)).toBeGreaterThanOrEqual(before - 1000);
      expect(Object.keys(aws).filter((k) => !(k in local)).sort()).toEqual(['Signature', 'SignatureVersion', 'SigningCertURL', 'UnsubscribeURL']);
    });

    it('without subject and attributes: the same fields, once the empty ones fauxqs writes are left out', async () => {
      const { local, aws } = await bodies({ message: 'plain' });
      const present = Object.fromEntries(Object.entries(aws).filter(([k, v]) => v !== null && !(k === 'MessageAttributes' && Object.keys(v as object).length === 0)));
      expect(Object.keys(present).filter((k) => !['Signature', 'SignatureVersion', 'SigningCertURL', 'UnsubscribeURL'].includes(k)).sort()).toEqual(Object.keys(local).sort());
      expect(present).toMatchObject({ Type: 'Notification', Message: 'plain' });
    });

    it("is what the runtime's SNS event is built from", async () => {
      await h.backend.queues.declare(queueConfig('inbox'));
      await h.backend.topics.declare({ name: 'alerts', subscribers: [{ kind: 'queue', queue: 'inbox' }] });
      const { messageId } = await h.backend.topics.publish('alerts', { message: 'hi', attributes: { a: 'b' } });
      const [m] = await h.backend.queues.receive('inbox');
      const sns = snsEvent(m!.body, 'sub').Records[0]!.Sns;
      expect(sns).toMatchObject({ MessageId: messageId, Message: 'hi', TopicArn: await arnOf('alerts'), MessageAttributes: { a: { Type: 'String', Value: 'b' } } });
    });
  });

  it("lets the topic send to the queue in the queue's policy", async () => {
    await h.backend.queues.declare(queueConfig('inbox'));
    await h.backend.topics.declare({ name: 'alerts', subscribers: [{ kind: 'queue', queue: 'inbox' }] });
    const { sqs } = h.backend.context.clients;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${h.prefix}inbox` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
    const policy = JSON.parse(Attributes!.Policy!) as { Statement: Array<{ Principal: unknown; Condition: { ArnEquals: Record<string, string> } }> };
    expect(policy.Statement).toContainEqual(expect.objectContaining({ Principal: { Service: 'sns.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': await arnOf('alerts') } } }));
  });

  it('a file subscriber gets nothing until flush, then one JSON line per publish, a relative path resolving against filesDir', async () => {
    await h.backend.topics.declare({ name: 'events', subscribers: [{ kind: 'file', path: 'out/events.jsonl' }] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.backend.topics.publish('events', { message: `event ${i}` })).messageId);
    const file = join(dir, 'out', 'events.jsonl');
    expect(existsSync(file)).toBe(false);
    expect((await h.backend.topics.deliveries('events')).map((d) => [d.status, d.attempts])).toEqual([['pending', 0], ['pending', 0], ['pending', 0]]);
    await drive(h.clock, h.backend.topics.flush());
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { MessageId: string; Message: string; Type: string });
    expect(lines.map((l) => [l.Type, l.MessageId, l.Message])).toEqual(ids.map((id, i) => ['Notification', id, `event ${i}`]));
    const statuses = await h.backend.topics.deliveries('events');
    expect(statuses.map((s) => [s.subscriber, s.status, s.attempts])).toEqual(ids.map(() => ['file:out/events.jsonl', 'delivered', 1]));
    // Flushing again delivers nothing twice: the inbox is empty.
    await drive(h.clock, h.backend.topics.flush());
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(3);
    expect(h.backend.handlerEnv.BATON_DIR).toBe(dir);
  });

  it('a webhook subscriber on 127.0.0.1 gets the POST after flush, with the topic ARN in its headers', async () => {
    const hook = await server(() => 200);
    await h.backend.topics.declare({ name: 'hooks', subscribers: [{ kind: 'webhook', url: hook.url }] });
    const { messageId } = await h.backend.topics.publish('hooks', { message: 'ping', subject: 'Ping' });
    expect(hook.requests).toHaveLength(0);
    await drive(h.clock, h.backend.topics.flush());
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request!.headers['x-amz-sns-message-id']).toBe(messageId);
    expect(request!.headers['x-amz-sns-topic-arn']).toBe(await arnOf('hooks'));
    expect(request!.headers['content-type']).toContain('text/plain');
    expect(JSON.parse(request!.body)).toMatchObject({ Type: 'Notification', MessageId: messageId, Subject: 'Ping', Message: 'ping' });
    expect(await h.backend.topics.deliveries('hooks')).toEqual([{ id: expect.any(Number), topic: 'hooks', subscriber: `webhook:${hook.url}`, status: 'delivered', attempts: 1 }]);
  });

  it('a failing webhook is retried with backoff on the clock, then reported failed and taken out of its inbox', async () => {
    const hook = await server(() => 500);
    await h.backend.topics.declare({ name: 'hooks', subscribers: [{ kind: 'webhook', url: hook.url, attempts: 3, backoffMs: 1000 }] });
    await h.backend.topics.publish('hooks', { message: 'doomed' });
    await drive(h.clock, h.backend.topics.flush());
    expect(hook.requests).toHaveLength(3);
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(hook.requests[2]!.at - hook.requests[1]!.at).toBeGreaterThanOrEqual(2000);
    const statuses = await h.backend.topics.deliveries('hooks');
    expect(statuses).toHaveLength(1); // no pending entry: the given-up message left the inbox
    expect(statuses[0]).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringContaining('HTTP 500') });
    await drive(h.clock, h.backend.topics.flush());
    expect(hook.requests).toHaveLength(3);
  });

  it('declaring twice makes one subscription per queue; declaring without a subscriber removes its subscription', async () => {
    await h.backend.queues.declare(queueConfig('inbox'));
    const config = { name: 'alerts', subscribers: [{ kind: 'queue', queue: 'inbox' } as const, { kind: 'file', path: 'a.jsonl' } as const] };
    await h.backend.topics.declare(config);
    await h.backend.topics.declare(config);
    const subs = await subscriptions('alerts');
    expect(subs).toHaveLength(2);
    expect(subs[0]).toMatch(/^sqs .*baton-topic-alerts-[0-9a-f]{12}$/);
    expect(subs[1]).toBe(`sqs ${h.prefix}inbox`);
    await h.backend.topics.declare({ name: 'alerts', subscribers: [{ kind: 'queue', queue: 'inbox' }] });
    expect(await subscriptions('alerts')).toEqual([`sqs ${h.prefix}inbox`]);
    // The internal inbox is not one of the app's queues.
    expect((await h.backend.queues.list()).map((q) => q.name)).toEqual(['inbox']);
  });

  it('an unknown topic is a NotFoundError saying to declare it; so is a topic deleted from SNS behind Baton', async () => {
    for (const attempt of [h.backend.topics.publish('nope', { message: 'x' }), h.backend.topics.deliveries('nope')]) {
      const err = await attempt.then(() => undefined, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err!.message).toContain('Topic "nope" is not declared');
    }
    await h.backend.topics.declare({ name: 'gone', subscribers: [] });
    await h.backend.context.clients.sns.send(new DeleteTopicCommand({ TopicArn: await arnOf('gone') }));
    const err = await h.backend.topics.publish('gone', { message: 'x' }).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err!.message).toContain('Topic "gone" is not declared');
  });

  it("topics and their subscribers' settings survive a reopen (kept in the topic's tags), and so do messages waiting in an inbox", async () => {
    const hook = await server(() => 200);
    const subscribers: Subscriber[] = [{ kind: 'webhook', url: hook.url, attempts: 7, backoffMs: 50, timeoutMs: 900 }, { kind: 'file', path: join(dir, 'x.jsonl') }];
    await h.backend.topics.declare({ name: 'kept', subscribers });
    await h.backend.topics.publish('kept', { message: 'waiting' });
    const backend = await h.reopen!();
    expect(await backend.topics.list()).toEqual([{ name: 'kept', subscribers }]);
    expect((await backend.topics.deliveries('kept')).map((d) => d.status)).toEqual(['pending', 'pending']);
    await drive(h.clock, backend.topics.flush());
    expect(hook.requests).toHaveLength(1);
    expect(readFileSync(join(dir, 'x.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses a notification too large for a queue subscriber before publishing, so no subscriber gets it', async () => {
    await h.backend.queues.declare(queueConfig('roomy'));
    await h.backend.queues.declare(queueConfig('tiny', { maxMessageSize: 1024 }));
    await h.backend.topics.declare({ name: 't', subscribers: [{ kind: 'queue', queue: 'roomy' }, { kind: 'queue', queue: 'tiny' }] });
    const err = await h.backend.topics.publish('t', { message: 'x'.repeat(1000) }).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err!.message).toContain("the notification for queue 'tiny'");
    expect(await h.backend.queues.receive('roomy')).toEqual([]);
  });
});
