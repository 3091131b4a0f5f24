/**
 * The topic port's conformance suite: every backend runs it (`runTopicConformance('local', make)`).
 * It talks to the backend only through `backend.topics` and `backend.queues`, and moves time with
 * the harness's fake clock, so webhook backoff never sleeps for real. Webhook subscribers are a
 * node:http server on 127.0.0.1; file subscribers write under a temp directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { DefinitionError, NotFoundError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import type { QueueConfig } from '../../src/ports/queues.ts';
import type { Subscriber, TopicStore } from '../../src/ports/topics.ts';
import type { FakeClock } from '../../src/testing/fake-clock.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';
import { drive } from '../helpers/drive.ts';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.ts';

const KiB = 1024;

function queueConfig(name: string, over: Partial<QueueConfig> = {}): QueueConfig {
  return { name, visibilityTimeoutMs: 30_000, retentionMs: 345_600_000, delayMs: 0, maxMessageSize: 256 * KiB, ...over };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The SNS notification JSON as a queue or webhook subscriber receives it. */
interface Notification {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

export function runTopicConformance(name: string, make: MakeBackend, skips?: Skips): void {
  const test = caseFor(skips);
  describe(`topic port conformance: ${name}`, () => {
    let h: BackendHarness;
    let topics: TopicStore;
    let clock: FakeClock;
    let dir: string;
    const servers: WebhookServer[] = [];

    beforeEach(async () => {
      h = await make();
      topics = h.backend.topics;
      clock = h.clock;
      dir = mkdtempSync(join(tmpdir(), 'baton-topics-'));
    });
    afterEach(async () => {
      await drive(clock, topics.flush());
      await h.close();
      for (const s of servers.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function server(respond: (n: number) => number | 'hang'): Promise<WebhookServer> {
      const s = await startWebhookServer(respond, () => clock.now());
      servers.push(s);
      return s;
    }

    async function topicWith(topic: string, ...subscribers: Subscriber[]): Promise<void> {
      await topics.declare({ name: topic, subscribers });
    }

    describe('declare and list', () => {
      test('stores topics and lists them by name; declaring again replaces the subscribers', async () => {
        await h.backend.queues.declare(queueConfig('inbox'));
        await topicWith('zeta');
        await topicWith('alerts', { kind: 'queue', queue: 'inbox' });
        await topicWith('alerts', { kind: 'queue', queue: 'inbox' }, { kind: 'file', path: join(dir, 'a.jsonl') });
        expect(await topics.list()).toEqual([
          { name: 'alerts', subscribers: [{ kind: 'queue', queue: 'inbox' }, { kind: 'file', path: join(dir, 'a.jsonl') }] },
          { name: 'zeta', subscribers: [] },
        ]);
      });

      test('refuses a queue subscriber whose queue is not declared, saying to declare it', async () => {
        const err = await rejection(topicWith('alerts', { kind: 'queue', queue: 'missing' }));
        expect(err).toBeInstanceOf(DefinitionError);
        expect(err.message).toContain("subscriber queue 'missing' is not declared");
      });

      test('refuses a bad name or a bad subscriber', async () => {
        expect(await rejection(topicWith('no spaces'))).toBeInstanceOf(DefinitionError);
        const err = await rejection(topicWith('alerts', { kind: 'webhook', url: 'ftp://example.com' }));
        expect(err).toBeInstanceOf(DefinitionError);
        expect(err.message).toContain('subscribers[0].url is "ftp://example.com", not an http(s) URL');
        expect(await rejection(topicWith('alerts', { kind: 'webhook', url: 'http://127.0.0.1/', attempts: 0 }))).toBeInstanceOf(DefinitionError);
      });
    });

    describe('publish checks', () => {
      test('an unknown topic is a NotFoundError saying to declare it in baton.config.ts', async () => {
        const err = await rejection(topics.publish('nope', { message: 'hi' }));
        expect(err).toBeInstanceOf(NotFoundError);
        expect(err.message).toContain('Topic "nope" is not declared');
        expect(err.message).toContain('baton.config.ts');
        expect(await rejection(topics.deliveries('nope'))).toBeInstanceOf(NotFoundError);
      });

      test('a message over 256 KiB is a TooLargeError naming the topic and both sizes; 256 KiB exactly is fine', async () => {
        await topicWith('big', { kind: 'file', path: join(dir, 'big.jsonl') });
        const err = await rejection(topics.publish('big', { message: 'x'.repeat(256 * KiB + 1) }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain("topic 'big'");
        expect(err.message).toContain(`${256 * KiB + 1} bytes`);
        expect(err.message).toContain(`limit of ${256 * KiB} bytes`);
        await expect(topics.publish('big', { message: 'x'.repeat(256 * KiB) })).resolves.toMatchObject({ messageId: expect.any(String) });
        // The rejected publish left no delivery behind.
        await drive(clock, topics.flush());
        expect(await topics.deliveries('big')).toHaveLength(1);
      });

      test('counts attributes and subject toward the size', async () => {
        await topicWith('big');
        const err = await rejection(topics.publish('big', { message: 'x'.repeat(256 * KiB - 3), subject: 'abcd' }));
        expect(err).toBeInstanceOf(TooLargeError);
      });

      test('rejects a message that is not a string, and a subject SNS would refuse', async () => {
        await topicWith('t');
        expect(await rejection(topics.publish('t', { message: { a: 1 } as unknown as string }))).toBeInstanceOf(ValidationError);
        expect(await rejection(topics.publish('t', { message: 'm', subject: 'two\nlines' }))).toBeInstanceOf(ValidationError);
        expect(await rejection(topics.publish('t', { message: 'm', subject: 's'.repeat(101) }))).toBeInstanceOf(ValidationError);
      });
    });

    describe('queue subscribers', () => {
      test('receive the SNS notification as the message body', async () => {
        await h.backend.queues.declare(queueConfig('inbox'));
        await topicWith('alerts', { kind: 'queue', queue: 'inbox' });
        const { messageId } = await topics.publish('alerts', { message: '{"order":42}', subject: 'New order', attributes: { source: 'shop' } });
        const [received] = await h.backend.queues.receive('inbox');
        const body = JSON.parse(received!.body) as Notification;
        expect(body).toEqual({
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: expect.stringMatching(/^arn:aws:sns:[a-z0-9-]+:\d{12}:alerts$/),
          Subject: 'New order',
          Message: '{"order":42}',
          Timestamp: new Date(clock.now()).toISOString(),
          MessageAttributes: { source: { Type: 'String', Value: 'shop' } },
        });
      });

      test('leave out Subject and MessageAttributes when the message has none, as SNS', async () => {
        await h.backend.queues.declare(queueConfig('inbox'));
        await topicWith('alerts', { kind: 'queue', queue: 'inbox' });
        await topics.publish('alerts', { message: 'plain' });
        const [received] = await h.backend.queues.receive('inbox');
        const body = JSON.parse(received!.body) as Notification;
        expect(Object.keys(body).sort()).toEqual(['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type']);
      });

      test('every queue subscriber gets its own copy', async () => {
        await h.backend.queues.declare(queueConfig('a'));
        await h.backend.queues.declare(queueConfig('b'));
        await topicWith('fan', { kind: 'queue', queue: 'a' }, { kind: 'queue', queue: 'b' });
        const { messageId } = await topics.publish('fan', { message: 'hello' });
        for (const q of ['a', 'b']) {
          const [m] = await h.backend.queues.receive(q);
          expect((JSON.parse(m!.body) as Notification).MessageId).toBe(messageId);
        }
      });

      test('wake a consumer that is long-polling the queue', async () => {
        await h.backend.queues.declare(queueConfig('inbox'));
        await topicWith('alerts', { kind: 'queue', queue: 'inbox' });
        const waiting = h.backend.queues.receive('inbox', { waitMs: 20_000 });
        await new Promise<void>((r) => setTimeout(r, 5));
        await topics.publish('alerts', { message: 'wake up' });
        // Bounded in real time: without the wake-up, the poll would wait on the fake clock forever.
        const messages = await Promise.race([waiting, new Promise<'not woken'>((r) => setTimeout(() => r('not woken'), 2000))]);
        expect(messages).toHaveLength(1);
      });

      test('publish is all or nothing: a notification too large for one queue reaches no subscriber', async () => {
        await h.backend.queues.declare(queueConfig('roomy'));
        await h.backend.queues.declare(queueConfig('tiny', { maxMessageSize: 1 * KiB }));
        await topicWith('t', { kind: 'queue', queue: 'roomy' }, { kind: 'file', path: join(dir, 'out.jsonl') }, { kind: 'queue', queue: 'tiny' });
        // 1000 bytes fits the topic, but not 'tiny' once wrapped in the SNS envelope.
        const err = await rejection(topics.publish('t', { message: 'x'.repeat(1000) }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain("queue 'tiny'");
        expect((await h.backend.queues.stats('roomy')).visible).toBe(0);
        expect(await topics.deliveries('t')).toEqual([]);
      });
    });

    describe('file subscribers', () => {
      test('get exactly one JSON line per publish, in publish order, parent directories created', async () => {
        const path = join(dir, 'nested', 'deeper', 'events.jsonl');
        await topicWith('events', { kind: 'file', path });
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await topics.publish('events', { message: `event ${i}` })).messageId);
        await drive(clock, topics.flush());
        const lines = readFileSync(path, 'utf8').split('\n');
        expect(lines.pop()).toBe('');
        expect(lines.map((l) => (JSON.parse(l) as Notification).MessageId)).toEqual(ids);
        expect(lines.map((l) => (JSON.parse(l) as Notification).Message)).toEqual(['event 0', 'event 1', 'event 2', 'event 3', 'event 4']);
        const statuses = await topics.deliveries('events');
        expect(statuses).toHaveLength(5);
        for (const s of statuses) expect(s).toMatchObject({ topic: 'events', subscriber: `file:${path}`, status: 'delivered', attempts: 1 });
      });
    });

    describe('webhook subscribers', () => {
      test('are POSTed the SNS notification; a failure is retried with backoff until it succeeds', async () => {
        const hook = await server((n) => (n <= 2 ? 503 : 200));
        await topicWith('hooks', { kind: 'webhook', url: hook.url, attempts: 5, backoffMs: 1000 });
        const { messageId } = await topics.publish('hooks', { message: 'ping', subject: 'Ping' });
        await drive(clock, topics.flush());

        expect(hook.requests).toHaveLength(3);
        const [first, second, third] = hook.requests;
        expect(first!.method).toBe('POST');
        expect(first!.headers['x-amz-sns-message-type']).toBe('Notification');
        expect(first!.headers['x-amz-sns-message-id']).toBe(messageId);
        expect(JSON.parse(first!.body)).toMatchObject({ Type: 'Notification', MessageId: messageId, Subject: 'Ping', Message: 'ping' });
        expect(third!.body).toBe(first!.body);
        // Backoff doubles: 1 s after the first failure, 2 s after the second (fake time).
        expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
        expect(third!.at - second!.at).toBeGreaterThanOrEqual(2000);
        expect(await topics.deliveries('hooks')).toEqual([{ id: expect.any(Number), topic: 'hooks', subscriber: `webhook:${hook.url}`, status: 'delivered', attempts: 3 }]);
      });

      test('give up after the last attempt: status failed, with the last error', async () => {
        const hook = await server(() => 500);
        await topicWith('hooks', { kind: 'webhook', url: hook.url, attempts: 4, backoffMs: 100 });
        await topics.publish('hooks', { message: 'doomed' });
        await drive(clock, topics.flush());
        expect(hook.requests).toHaveLength(4);
        const [status] = await topics.deliveries('hooks');
        expect(status).toMatchObject({ status: 'failed', attempts: 4 });
        expect(status!.lastError).toContain('HTTP 500');
      });

      test('a request that gets no answer within timeoutMs is a failed attempt', async () => {
        const hook = await server(() => 'hang');
        await topicWith('hooks', { kind: 'webhook', url: hook.url, attempts: 1, timeoutMs: 50 });
        await topics.publish('hooks', { message: 'slow' });
        await drive(clock, topics.flush());
        const [status] = await topics.deliveries('hooks');
        expect(status).toMatchObject({ status: 'failed', attempts: 1 });
        expect(status!.lastError).toContain('no response within 50 ms');
      });

      test('an unreachable webhook fails with the network error', async () => {
        const hook = await server(() => 200);
        await hook.close();
        await topicWith('hooks', { kind: 'webhook', url: hook.url, attempts: 2, backoffMs: 10 });
        await topics.publish('hooks', { message: 'nobody home' });
        await drive(clock, topics.flush());
        const [status] = await topics.deliveries('hooks');
        expect(status).toMatchObject({ status: 'failed', attempts: 2 });
        expect(status!.lastError).toMatch(/ECONNREFUSED|fetch failed/);
      });

      test('each subscriber of a message has its own delivery: one failing does not hold back the others', async () => {
        const good = await server(() => 204);
        const bad = await server(() => 400);
        const path = join(dir, 'out.jsonl');
        await topicWith('mixed', { kind: 'webhook', url: bad.url, attempts: 2, backoffMs: 10 }, { kind: 'webhook', url: good.url }, { kind: 'file', path });
        await topics.publish('mixed', { message: 'm' });
        await drive(clock, topics.flush());
        const byTarget = Object.fromEntries((await topics.deliveries('mixed')).map((d) => [d.subscriber, d.status]));
        expect(byTarget).toEqual({ [`webhook:${bad.url}`]: 'failed', [`webhook:${good.url}`]: 'delivered', [`file:${path}`]: 'delivered' });
        expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
      });
    });

    describe('durability', () => {
      test('topics and delivery statuses survive a reopen', async () => {
        if (!h.reopen) return;
        const path = join(dir, 'out.jsonl');
        await topicWith('events', { kind: 'file', path });
        await topics.publish('events', { message: 'one' });
        await drive(clock, topics.flush());
        const backend = await h.reopen();
        topics = backend.topics;
        expect(await topics.list()).toEqual([{ name: 'events', subscribers: [{ kind: 'file', path }] }]);
        expect(await topics.deliveries('events')).toMatchObject([{ status: 'delivered', attempts: 1 }]);
        await topics.publish('events', { message: 'two' });
        await drive(clock, topics.flush());
        expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
      });
    });
  });
}
