/**
 * The queue port's conformance suite: every backend runs it (`runQueueConformance('local', make)`).
 * It talks to the backend only through `backend.queues`, and moves time with the harness's fake
 * clock, so visibility timeouts, delays, retention and long polls never sleep for real.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionError, NotFoundError, StaleReceiptError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import type { QueueConfig, QueueStore, ReceivedMessage } from '../../src/ports/queues.ts';
import type { FakeClock } from '../../src/testing/fake-clock.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

const SECOND = 1000;
const DAY = 86_400_000;
const KiB = 1024;

/** A queue config with SQS defaults, overridden by `over`. */
export function queueConfig(name: string, over: Partial<QueueConfig> = {}): QueueConfig {
  return { name, visibilityTimeoutMs: 30 * SECOND, retentionMs: 4 * DAY, delayMs: 0, maxMessageSize: 256 * KiB, ...over };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Lets pending promise callbacks and I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  return { promise: watched, settled: () => done };
}

export function runQueueConformance(name: string, make: MakeBackend, skips?: Skips): void {
  const test = caseFor(skips);
  describe(`queue port conformance: ${name}`, () => {
    let h: BackendHarness;
    let q: QueueStore;
    let clock: FakeClock;

    beforeEach(async () => {
      h = await make();
      q = h.backend.queues;
      clock = h.clock;
    });
    afterEach(async () => {
      await h.close();
    });

    /** Declares `dlq` and then `name` with a DLQ after maxReceiveCount attempts. */
    async function withDlq(queue: string, maxReceiveCount: number, over: Partial<QueueConfig> = {}): Promise<void> {
      await q.declare(queueConfig(`${queue}-dlq`));
      await q.declare(queueConfig(queue, { ...over, deadLetter: { queue: `${queue}-dlq`, maxReceiveCount } }));
    }

    async function receiveOne(queue: string, options: Parameters<QueueStore['receive']>[1] = {}): Promise<ReceivedMessage> {
      const got = await q.receive(queue, { maxMessages: 1, ...options });
      expect(got).toHaveLength(1);
      return got[0]!;
    }

    describe('declare and list', () => {
      test('declare is idempotent and list returns the stored config', async () => {
        const config = queueConfig('orders', { visibilityTimeoutMs: 5 * SECOND });
        await q.declare(config);
        await q.declare(config);
        const listed = await q.list();
        expect(listed.filter((c) => c.name === 'orders')).toEqual([config]);
      });

      test('declaring again updates the queue, and the new visibility timeout applies', async () => {
        await q.declare(queueConfig('orders'));
        await q.declare(queueConfig('orders', { visibilityTimeoutMs: 5 * SECOND }));
        expect((await q.list()).find((c) => c.name === 'orders')?.visibilityTimeoutMs).toBe(5 * SECOND);
        await q.send('orders', { body: 'a' });
        await receiveOne('orders');
        await clock.advance(5 * SECOND);
        expect((await receiveOne('orders')).receiveCount).toBe(2);
      });

      test('refuses a maxMessageSize above 1 MiB, naming the queue, the field, the value and the range', async () => {
        const err = await rejection(q.declare(queueConfig('big', { maxMessageSize: 2 * 1024 * KiB })));
        expect(err instanceof DefinitionError || err instanceof ValidationError).toBe(true);
        expect(err.message).toContain("'big'");
        expect(err.message).toContain('maxMessageSize');
        expect(err.message).toContain('2097152');
        expect(err.message).toContain('1048576');
        expect((await q.list()).some((c) => c.name === 'big')).toBe(false);
      });

      test('accepts a maxMessageSize of exactly 1 MiB', async () => {
        await q.declare(queueConfig('big', { maxMessageSize: 1024 * KiB }));
        expect((await q.list()).find((c) => c.name === 'big')?.maxMessageSize).toBe(1024 * KiB);
      });

      it.each([
        ['visibilityTimeoutMs', -1],
        ['visibilityTimeoutMs', 13 * 3_600_000],
        ['retentionMs', 15 * DAY],
        ['delayMs', 16 * 60 * SECOND],
        ['maxMessageSize', 0],
      ] as const)('refuses %s = %d with an error naming the field', async (field, value) => {
        const err = await rejection(q.declare(queueConfig('bad', { [field]: value })));
        expect(err instanceof DefinitionError || err instanceof ValidationError).toBe(true);
        expect(err.message).toContain(field);
        expect(err.message).toContain(String(value));
      });

      test('refuses a dead-letter queue that is not declared', async () => {
        const err = await rejection(q.declare(queueConfig('jobs', { deadLetter: { queue: 'nowhere', maxReceiveCount: 3 } })));
        expect(err instanceof DefinitionError || err instanceof NotFoundError).toBe(true);
        expect(err.message).toContain('nowhere');
      });
    });

    describe('send', () => {
      test('sending to an undeclared queue fails with NotFoundError saying to declare it in baton.config.ts', async () => {
        const err = await rejection(q.send('ghost', { body: 'x' }));
        expect(err).toBeInstanceOf(NotFoundError);
        expect(err.message).toContain('ghost');
        expect(err.message).toContain('baton.config.ts');
        expect(await rejection(q.sendBatch('ghost', [{ body: 'x' }]))).toBeInstanceOf(NotFoundError);
        expect(await rejection(q.receive('ghost'))).toBeInstanceOf(NotFoundError);
      });

      test('a received message carries its body, attributes, id, times and counts', async () => {
        await q.declare(queueConfig('q'));
        const sentAt = clock.now();
        const { messageId } = await q.send('q', { body: '{"n":1}', attributes: { kind: 'order', priority: 3 } });
        await clock.advance(2 * SECOND);
        const m = await receiveOne('q');
        expect(m.messageId).toBe(messageId);
        expect(m.body).toBe('{"n":1}');
        expect(m.attributes).toEqual({ kind: 'order', priority: 3 });
        expect(m.sentAt).toBe(sentAt);
        expect(m.firstReceivedAt).toBe(sentAt + 2 * SECOND);
        expect(m.receiveCount).toBe(1);
        expect(m.attempts).toBe(1);
        expect(m.lastError).toBeUndefined();
        expect(m.sourceQueue).toBeUndefined();
        expect(typeof m.receiptHandle).toBe('string');
      });

      test('message ids are unique', async () => {
        await q.declare(queueConfig('q'));
        const results = await q.sendBatch('q', Array.from({ length: 50 }, (_, i) => ({ body: `m${i}` })));
        expect(new Set(results.map((r) => r.value?.messageId)).size).toBe(50);
      });

      test('sendBatch sends every entry and returns one result per entry, in order', async () => {
        await q.declare(queueConfig('q'));
        const results = await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
        expect(results.map((r) => [r.index, r.ok])).toEqual([[0, true], [1, true], [2, true]]);
        const got = await q.receive('q', { maxMessages: 10 });
        expect(got.map((m) => m.body).sort()).toEqual(['a', 'b', 'c']);
        const byBody = new Map(got.map((m) => [m.body, m.messageId]));
        expect(results.map((r) => r.value?.messageId)).toEqual(['a', 'b', 'c'].map((b) => byBody.get(b)));
      });

      test('sendBatch with an empty list sends nothing', async () => {
        await q.declare(queueConfig('q'));
        expect(await q.sendBatch('q', [])).toEqual([]);
        expect((await q.stats('q')).visible).toBe(0);
      });
    });

    describe('message size', () => {
      test('accepts a message of exactly the limit and refuses one byte more with TooLargeError naming queue, size and limit', async () => {
        await q.declare(queueConfig('small', { maxMessageSize: 1000 }));
        await q.send('small', { body: 'x'.repeat(1000) });
        const err = await rejection(q.send('small', { body: 'x'.repeat(1001) }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain("'small'");
        expect(err.message).toContain('1001');
        expect(err.message).toContain('1000');
        expect((await q.stats('small')).visible).toBe(1);
      });

      test('counts the body in UTF-8 bytes, not characters', async () => {
        await q.declare(queueConfig('small', { maxMessageSize: 1000 }));
        await q.send('small', { body: 'é'.repeat(500) });
        expect(await rejection(q.send('small', { body: 'é'.repeat(501) }))).toBeInstanceOf(TooLargeError);
      });

      test('counts attribute names and values', async () => {
        await q.declare(queueConfig('small', { maxMessageSize: 1000 }));
        await q.send('small', { body: 'x'.repeat(990), attributes: { abc: 'defghij' } });
        const err = await rejection(q.send('small', { body: 'x'.repeat(990), attributes: { abc: 'defghijk' } }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain('1001');
      });

      test('counts numeric attribute values as their decimal text, and multi-byte names and values in UTF-8', async () => {
        await q.declare(queueConfig('small', { maxMessageSize: 1000 }));
        // 994 + 'n' + '123.5' = 1000
        await q.send('small', { body: 'x'.repeat(994), attributes: { n: 123.5 } });
        expect(await rejection(q.send('small', { body: 'x'.repeat(994), attributes: { n: 1234.5 } }))).toBeInstanceOf(TooLargeError);
        // 'é' is 2 bytes: 990 + 'ké' (3) + 'éé' (4) = 997, and 'ééé' (6) makes 999, 'éééé' (8) 1001
        await q.send('small', { body: 'x'.repeat(990), attributes: { ké: 'ééé' } });
        const err = await rejection(q.send('small', { body: 'x'.repeat(990), attributes: { ké: 'éééé' } }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain('1001');
        expect((await q.stats('small')).visible).toBe(2);
      });

      test('defaults to 256 KiB and allows more on a queue configured for more', async () => {
        await q.declare(queueConfig('std'));
        await q.declare(queueConfig('wide', { maxMessageSize: 512 * KiB }));
        const body = 'x'.repeat(300 * KiB);
        expect(await rejection(q.send('std', { body }))).toBeInstanceOf(TooLargeError);
        await q.send('wide', { body });
        expect((await receiveOne('wide')).body).toHaveLength(300 * KiB);
      });

      test('in sendBatch an oversized entry fails alone and the others are sent', async () => {
        await q.declare(queueConfig('small', { maxMessageSize: 100 }));
        const results = await q.sendBatch('small', [{ body: 'a' }, { body: 'x'.repeat(101) }, { body: 'c' }]);
        expect(results.map((r) => r.ok)).toEqual([true, false, true]);
        expect(results[1]!.error?.code).toBe('TOO_LARGE');
        expect(results[1]!.error?.message).toContain('101');
        const got = await q.receive('small', { maxMessages: 10 });
        expect(got.map((m) => m.body).sort()).toEqual(['a', 'c']);
      });
    });

    describe('receive', () => {
      test('returns nothing at once from an empty queue', async () => {
        await q.declare(queueConfig('q'));
        expect(await q.receive('q')).toEqual([]);
      });

      test('returns at most 10 messages by default, and at most maxMessages', async () => {
        await q.declare(queueConfig('q'));
        await q.sendBatch('q', Array.from({ length: 25 }, (_, i) => ({ body: `m${i}` })));
        expect(await q.receive('q')).toHaveLength(10);
        expect(await q.receive('q', { maxMessages: 3 })).toHaveLength(3);
        expect(await q.receive('q', { maxMessages: 100 })).toHaveLength(12);
      });

      test('refuses maxMessages of 0', async () => {
        await q.declare(queueConfig('q'));
        expect(await rejection(q.receive('q', { maxMessages: 0 }))).toBeInstanceOf(ValidationError);
      });

      test('hides a received message until its visibility timeout passes, then delivers it with a new receipt', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: 10 * SECOND }));
        await q.send('q', { body: 'a' });
        const first = await receiveOne('q');
        await clock.advance(10 * SECOND - 1);
        expect(await q.receive('q')).toEqual([]);
        await clock.advance(1);
        const second = await receiveOne('q');
        expect(second.messageId).toBe(first.messageId);
        expect(second.receiptHandle).not.toBe(first.receiptHandle);
        expect(second.receiveCount).toBe(2);
        expect(second.attempts).toBe(2);
        expect(second.firstReceivedAt).toBe(first.firstReceivedAt);
      });

      test('a visibilityTimeoutMs on receive overrides the queue default', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: 30 * SECOND }));
        await q.send('q', { body: 'a' });
        await receiveOne('q', { visibilityTimeoutMs: 2 * SECOND });
        await clock.advance(2 * SECOND);
        expect((await receiveOne('q')).receiveCount).toBe(2);
      });

      test('never delivers the same message twice in one batch, even with a zero visibility timeout', async () => {
        await q.declare(queueConfig('q', { retentionMs: 60 * SECOND }));
        await q.send('q', { body: 'expired' });
        await clock.advance(30 * SECOND);
        await q.send('q', { body: 'a' });
        await clock.advance(30 * SECOND);
        await q.send('q', { body: 'b' });
        const got = await q.receive('q', { maxMessages: 2, visibilityTimeoutMs: 0 });
        expect(got.map((m) => m.body).sort()).toEqual(['a', 'b']);
        const again = await q.receive('q', { maxMessages: 10, visibilityTimeoutMs: 0 });
        expect(again.map((m) => m.body).sort()).toEqual(['a', 'b']);
      });
    });

    describe('delete', () => {
      test('deletes a message for good', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
        await q.send('q', { body: 'a' });
        await q.delete('q', (await receiveOne('q')).receiptHandle);
        await clock.advance(10 * SECOND);
        expect(await q.receive('q')).toEqual([]);
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
      });

      test('refuses a stale receipt after the message was received again, and keeps the message', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
        await q.send('q', { body: 'a' });
        const old = await receiveOne('q');
        await clock.advance(SECOND);
        const current = await receiveOne('q');
        const err = await rejection(q.delete('q', old.receiptHandle));
        expect(err).toBeInstanceOf(StaleReceiptError);
        expect(err.message).toMatch(/received again/);
        expect((await q.stats('q')).inFlight).toBe(1);
        await q.delete('q', current.receiptHandle);
        expect((await q.stats('q')).inFlight).toBe(0);
      });

      test('a receipt whose message was deleted is stale, and the error says it was deleted', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await q.delete('q', m.receiptHandle);
        const err = await rejection(q.delete('q', m.receiptHandle));
        expect(err).toBeInstanceOf(StaleReceiptError);
        expect(err.message).toMatch(/deleted/);
        expect(await rejection(q.changeVisibility('q', m.receiptHandle, 1000))).toBeInstanceOf(StaleReceiptError);
        expect(await rejection(q.release('q', m.receiptHandle))).toBeInstanceOf(StaleReceiptError);
      });

      test('the receipt is accepted after the visibility timeout passed if nobody received the message since', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await clock.advance(5 * SECOND);
        await q.delete('q', m.receiptHandle);
        expect(await q.receive('q')).toEqual([]);
      });

      test('a receipt from another queue is refused', async () => {
        await q.declare(queueConfig('a'));
        await q.declare(queueConfig('b'));
        await q.send('a', { body: 'x' });
        const m = await receiveOne('a');
        expect(await rejection(q.delete('b', m.receiptHandle))).toBeInstanceOf(StaleReceiptError);
        expect((await q.stats('a')).inFlight).toBe(1);
      });

      test('deleteBatch deletes the current ones and reports each stale one alone', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
        const first = await q.receive('q', { maxMessages: 3 });
        expect(first).toHaveLength(3);
        await clock.advance(SECOND);
        const again = await q.receive('q', { maxMessages: 3 });
        const fresh = again.find((m) => m.body === 'b')!;
        const handles = first.map((m) => (m.body === 'b' ? m.receiptHandle : again.find((x) => x.body === m.body)!.receiptHandle));
        const results = await q.deleteBatch('q', handles);
        const byBody = new Map(first.map((m, i) => [m.body, results[i]!]));
        expect(results.map((r) => r.index)).toEqual([0, 1, 2]);
        expect(byBody.get('a')!.ok).toBe(true);
        expect(byBody.get('c')!.ok).toBe(true);
        expect(byBody.get('b')!.ok).toBe(false);
        expect(byBody.get('b')!.error?.code).toBe('STALE_RECEIPT');
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 1 });
        await q.delete('q', fresh.receiptHandle);
      });
    });

    describe('change visibility', () => {
      test('a heartbeat extends the lease so the message is not delivered twice', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: 30 * SECOND }));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await clock.advance(20 * SECOND);
        await q.changeVisibility('q', m.receiptHandle, 30 * SECOND);
        await clock.advance(29 * SECOND);
        expect(await q.receive('q')).toEqual([]);
        await q.delete('q', m.receiptHandle);
      });

      test('a lease extended and then passed makes the message visible again', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: 30 * SECOND }));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await q.changeVisibility('q', m.receiptHandle, 5 * SECOND);
        await clock.advance(5 * SECOND);
        expect((await receiveOne('q')).receiveCount).toBe(2);
      });

      test('zero makes the message visible at once', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await q.changeVisibility('q', m.receiptHandle, 0);
        const again = await receiveOne('q');
        expect(again.messageId).toBe(m.messageId);
        expect(await rejection(q.delete('q', m.receiptHandle))).toBeInstanceOf(StaleReceiptError);
      });

      test('refuses a stale receipt and leaves the current lease alone', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
        await q.send('q', { body: 'a' });
        const old = await receiveOne('q');
        await clock.advance(SECOND);
        await receiveOne('q', { visibilityTimeoutMs: 10 * SECOND });
        expect(await rejection(q.changeVisibility('q', old.receiptHandle, 0))).toBeInstanceOf(StaleReceiptError);
        expect(await q.receive('q')).toEqual([]);
      });

      test('refuses a timeout above 12 hours', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        expect(await rejection(q.changeVisibility('q', m.receiptHandle, 13 * 3_600_000))).toBeInstanceOf(ValidationError);
      });
    });

    describe('release', () => {
      test('gives the message back at once and records the error with its stack', async () => {
        await withDlq('q', 5);
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        const result = await q.release('q', m.receiptHandle, { error: new Error('parse failed at line 3') });
        expect(result).toEqual({ deadLettered: false });
        const again = await receiveOne('q');
        expect(again.attempts).toBe(2);
        expect(again.lastError?.message).toBe('parse failed at line 3');
        expect(again.lastError?.stack).toContain('parse failed at line 3');
      });

      test('with delayMs keeps the message hidden that long', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await q.release('q', m.receiptHandle, { delayMs: 5 * SECOND });
        expect(await q.receive('q')).toEqual([]);
        expect((await q.stats('q')).delayed).toBe(1);
        await clock.advance(5 * SECOND);
        expect((await receiveOne('q')).receiveCount).toBe(2);
      });

      test('ends the lease: the same receipt is stale afterwards', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q');
        await q.release('q', m.receiptHandle);
        expect(await rejection(q.release('q', m.receiptHandle))).toBeInstanceOf(StaleReceiptError);
        expect(await rejection(q.delete('q', m.receiptHandle))).toBeInstanceOf(StaleReceiptError);
        expect((await q.stats('q')).visible).toBe(1);
      });

      test('refuses a stale receipt', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
        await q.send('q', { body: 'a' });
        const old = await receiveOne('q');
        await clock.advance(SECOND);
        await receiveOne('q');
        expect(await rejection(q.release('q', old.receiptHandle, { error: new Error('late') }))).toBeInstanceOf(StaleReceiptError);
        expect((await q.stats('q')).inFlight).toBe(1);
      });
    });

    describe('delay', () => {
      test('a message sent with delayMs is not receivable until the delay passes', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'later', delayMs: 10 * SECOND });
        await q.send('q', { body: 'now' });
        expect((await q.receive('q')).map((m) => m.body)).toEqual(['now']);
        expect((await q.stats('q')).delayed).toBe(1);
        await clock.advance(10 * SECOND);
        expect((await q.receive('q')).map((m) => m.body)).toEqual(['later']);
      });

      test("the queue's delay applies to messages sent without one", async () => {
        await q.declare(queueConfig('q', { delayMs: 3 * SECOND }));
        await q.send('q', { body: 'a' });
        await clock.advance(3 * SECOND - 1);
        expect(await q.receive('q')).toEqual([]);
        await clock.advance(1);
        expect(await q.receive('q')).toHaveLength(1);
      });

      test('refuses a delay above 15 minutes', async () => {
        await q.declare(queueConfig('q'));
        expect(await rejection(q.send('q', { body: 'a', delayMs: 16 * 60 * SECOND }))).toBeInstanceOf(ValidationError);
      });
    });

    describe('retention', () => {
      test('a message past retention is never delivered and is removed', async () => {
        await q.declare(queueConfig('q', { retentionMs: 60 * SECOND }));
        await q.send('q', { body: 'old' });
        await clock.advance(30 * SECOND);
        await q.send('q', { body: 'young' });
        await clock.advance(30 * SECOND);
        expect((await q.receive('q', { maxMessages: 10 })).map((m) => m.body)).toEqual(['young']);
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 1, delayed: 0 });
      });

      test('stats does not count messages past retention', async () => {
        await q.declare(queueConfig('q', { retentionMs: 60 * SECOND }));
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
        expect((await q.stats('q')).visible).toBe(2);
        await clock.advance(60 * SECOND);
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: 0 });
      });

      test('an in-flight message that outlives retention is gone when its lease ends', async () => {
        await q.declare(queueConfig('q', { retentionMs: 60 * SECOND, visibilityTimeoutMs: 50 * SECOND }));
        await q.send('q', { body: 'a' });
        await clock.advance(20 * SECOND);
        await receiveOne('q');
        await clock.advance(50 * SECOND);
        expect(await q.receive('q')).toEqual([]);
      });
    });

    describe('attempts and the dead-letter queue', () => {
      test('a message whose lease expires on its last attempt moves to the DLQ on the next receive', async () => {
        await withDlq('q', 2, { visibilityTimeoutMs: SECOND });
        const { messageId } = await q.send('q', { body: 'poison' });
        const first = await receiveOne('q');
        await clock.advance(SECOND);
        const second = await receiveOne('q');
        expect(second.attempts).toBe(2);
        await clock.advance(SECOND);
        expect(await q.receive('q')).toEqual([]);
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, deadLettered: 1 });

        const err = await rejection(q.delete('q', second.receiptHandle));
        expect(err).toBeInstanceOf(StaleReceiptError);
        expect(err.message).toMatch(/dead-letter/);
        expect(await rejection(q.delete('q', first.receiptHandle))).toBeInstanceOf(StaleReceiptError);

        const dead = await receiveOne('q-dlq', { countAttempt: false });
        expect(dead.messageId).toBe(messageId);
        expect(dead.body).toBe('poison');
        expect(dead.sourceQueue).toBe('q');
        expect(dead.attempts).toBe(2);
      });

      test('release on the last attempt moves the message to the DLQ at once with its error and stack', async () => {
        await withDlq('q', 2);
        await q.send('q', { body: 'poison', attributes: { tenant: 'acme' } });
        const m1 = await receiveOne('q');
        expect(await q.release('q', m1.receiptHandle, { error: new Error('first failure') })).toEqual({ deadLettered: false });
        const m2 = await receiveOne('q');
        const boom = new TypeError('cannot read x of undefined');
        expect(await q.release('q', m2.receiptHandle, { error: boom })).toEqual({ deadLettered: true });
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, deadLettered: 1 });
        const dead = await receiveOne('q-dlq', { countAttempt: false });
        expect(dead.sourceQueue).toBe('q');
        expect(dead.attempts).toBe(2);
        expect(dead.attributes).toEqual({ tenant: 'acme' });
        expect(dead.lastError).toMatchObject({ name: 'TypeError', message: 'cannot read x of undefined' });
        expect(dead.lastError?.stack).toBe(boom.stack);
      });

      test('receives with countAttempt: false never dead-letter a message that did not run', async () => {
        await withDlq('q', 1, { visibilityTimeoutMs: SECOND });
        await q.send('q', { body: 'a' });
        for (let i = 1; i <= 4; i++) {
          const m = await receiveOne('q', { countAttempt: false });
          expect(m.receiveCount).toBe(i);
          expect(m.attempts).toBe(0);
          await clock.advance(SECOND);
        }
        expect((await q.stats('q')).deadLettered).toBe(0);
      });

      test('startAttempts counts an attempt once per lease, and then the DLQ applies', async () => {
        await withDlq('q', 1, { visibilityTimeoutMs: SECOND });
        await q.send('q', { body: 'a' });
        const m = await receiveOne('q', { countAttempt: false });
        await q.startAttempts('q', [m.receiptHandle]);
        await q.startAttempts('q', [m.receiptHandle]);
        expect(await q.release('q', m.receiptHandle, { error: new Error('x') })).toEqual({ deadLettered: true });
        const dead = await receiveOne('q-dlq', { countAttempt: false });
        expect(dead.attempts).toBe(1);
      });

      test('startAttempts refuses a stale receipt', async () => {
        await withDlq('q', 3, { visibilityTimeoutMs: SECOND });
        await q.send('q', { body: 'a' });
        const old = await receiveOne('q', { countAttempt: false });
        await clock.advance(SECOND);
        const current = await receiveOne('q', { countAttempt: false });
        expect(await rejection(q.startAttempts('q', [old.receiptHandle]))).toBeInstanceOf(StaleReceiptError);
        await q.startAttempts('q', [current.receiptHandle]);
        await clock.advance(SECOND);
        expect((await receiveOne('q')).attempts).toBe(2);
      });

      test('with countAttempt: false, attempts are those before this receive, so one history gives the same count as counted receives', async () => {
        await withDlq('q', 5, { visibilityTimeoutMs: SECOND });
        await q.send('q', { body: 'a' });
        const first = await receiveOne('q', { countAttempt: false });
        expect(first.attempts).toBe(0);
        await q.startAttempts('q', [first.receiptHandle]);
        await q.changeVisibility('q', first.receiptHandle, 0);
        const second = await receiveOne('q', { countAttempt: false });
        expect(second.attempts).toBe(1);
        await q.startAttempts('q', [second.receiptHandle]);
        await q.changeVisibility('q', second.receiptHandle, 0);
        // A counted receive includes its own attempt: the third.
        expect((await receiveOne('q')).attempts).toBe(3);
      });

      test('handBack makes the messages visible at once, keeps each lease, and takes back the attempt the receive counted', async () => {
        await withDlq('q', 1, { visibilityTimeoutMs: 60 * SECOND });
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
        const got = await q.receive('q', { maxMessages: 2 });
        expect(got.map((m) => m.attempts)).toEqual([1, 1]);
        const results = await q.handBack('q', [got[0]!.receiptHandle, got[1]!.receiptHandle]);
        expect(results.map((r) => r.ok)).toEqual([true, true]);
        expect(await q.stats('q')).toMatchObject({ visible: 2, inFlight: 0, deadLettered: 0 });
        // The lease is kept until the next receive, as after changeVisibility(0).
        await q.changeVisibility('q', got[0]!.receiptHandle, 0);
        // With one attempt allowed, both are delivered again, not dead-lettered.
        const again = await q.receive('q', { maxMessages: 2 });
        expect(again.map((m) => m.attempts)).toEqual([1, 1]);
        expect((await q.stats('q')).deadLettered).toBe(0);
        // A stale handle fails alone; an uncounted receive's lease has nothing to take back.
        expect((await q.handBack('q', [again[1]!.receiptHandle])).map((r) => r.ok)).toEqual([true]);
        const uncounted = await receiveOne('q', { countAttempt: false });
        const mixed = await q.handBack('q', [got[1]!.receiptHandle, uncounted.receiptHandle]);
        expect(mixed.map((r) => [r.ok, r.error?.name])).toEqual([
          [false, 'StaleReceiptError'],
          [true, undefined],
        ]);
        expect((await receiveOne('q', { countAttempt: false })).attempts).toBe(0);
      });

      test('handBack takes back only the attempt this lease counted: none for an uncounted lease, one at most per lease', async () => {
        await withDlq('q', 5, { visibilityTimeoutMs: 60 * SECOND });
        await q.send('q', { body: 'a' });
        const first = await receiveOne('q', { countAttempt: false });
        await q.startAttempts('q', [first.receiptHandle]);
        await q.changeVisibility('q', first.receiptHandle, 0);
        // One attempt counted by an earlier lease; this lease counts none: nothing to take back, twice.
        const uncounted = await receiveOne('q', { countAttempt: false });
        expect(uncounted.attempts).toBe(1);
        expect((await q.handBack('q', [uncounted.receiptHandle])).map((r) => r.ok)).toEqual([true]);
        expect((await q.handBack('q', [uncounted.receiptHandle])).map((r) => r.ok)).toEqual([true]);
        const counted = await receiveOne('q');
        expect(counted.attempts).toBe(2);
        // The receive's count is taken back once, not once per call.
        await q.handBack('q', [counted.receiptHandle]);
        await q.handBack('q', [counted.receiptHandle]);
        const started = await receiveOne('q', { countAttempt: false });
        expect(started.attempts).toBe(1);
        // An attempt startAttempts counted on this lease is this lease's too.
        await q.startAttempts('q', [started.receiptHandle]);
        await q.handBack('q', [started.receiptHandle]);
        expect((await receiveOne('q', { countAttempt: false })).attempts).toBe(1);
        expect((await q.stats('q')).deadLettered).toBe(0);
      });

      test('writes made in backend.together (one by one where a backend has none) each take effect or fail alone', async () => {
        await withDlq('q', 1, { visibilityTimeoutMs: SECOND });
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
        const got = await q.receive('q', { maxMessages: 2, countAttempt: false });
        expect(got).toHaveLength(2);
        const together = h.backend.together?.bind(h.backend) ?? ((work: () => void) => work());
        let counted!: Promise<void>;
        let stale!: Promise<void>;
        together(() => {
          counted = q.startAttempts('q', got.map((m) => m.receiptHandle));
          stale = q.startAttempts('q', ['99999999.1']);
          stale.catch(() => undefined);
        });
        await counted;
        expect(await rejection(stale)).toBeInstanceOf(StaleReceiptError);
        let deleted!: Promise<Array<{ ok: boolean }>>;
        let refused!: Promise<void>;
        together(() => {
          deleted = q.deleteBatch('q', [got[0]!.receiptHandle]);
          refused = q.delete('q', got[0]!.receiptHandle);
          refused.catch(() => undefined);
        });
        expect((await deleted).map((r) => r.ok)).toEqual([true]);
        expect(await rejection(refused)).toBeInstanceOf(StaleReceiptError);
        // The other message's attempt counted: released, it goes to the DLQ (maxReceiveCount 1).
        expect(await q.release('q', got[1]!.receiptHandle, { error: new Error('x') })).toEqual({ deadLettered: true });
        expect((await q.stats('q')).visible + (await q.stats('q')).inFlight).toBe(0);
      });

      test('a failed message in a queue without a DLQ is simply given back', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'a' });
        for (let i = 1; i <= 6; i++) {
          const m = await receiveOne('q');
          expect(await q.release('q', m.receiptHandle, { error: new Error(`fail ${i}`) })).toEqual({ deadLettered: false });
        }
        expect((await receiveOne('q')).attempts).toBe(7);
      });
    });

    describe('redrive', () => {
      /** Sends `bodies` to q and fails each once, so all sit in q-dlq. */
      async function deadLetter(bodies: string[]): Promise<void> {
        await withDlq('q', 1);
        await q.sendBatch('q', bodies.map((body) => ({ body })));
        const got = await q.receive('q', { maxMessages: 100 });
        for (const m of got) await q.release('q', m.receiptHandle, { error: new Error(`bad ${m.body}`) });
        expect((await q.stats('q')).deadLettered).toBe(bodies.length);
      }

      test('moves every message back to its source queue with attempts and receive count reset', async () => {
        await deadLetter(['a', 'b', 'c']);
        const result = await q.redrive('q-dlq');
        expect(result.moved).toBe(3);
        expect(result.messages.map((m) => [m.sourceQueue, m.to, m.attempts])).toEqual([['q', 'q', 1], ['q', 'q', 1], ['q', 'q', 1]]);
        expect(result.messages.every((m) => m.lastError?.message.startsWith('bad '))).toBe(true);
        expect(await q.stats('q')).toMatchObject({ visible: 3, deadLettered: 0 });
        const back = await q.receive('q', { maxMessages: 10 });
        expect(back.map((m) => m.body).sort()).toEqual(['a', 'b', 'c']);
        expect(back.every((m) => m.receiveCount === 1 && m.attempts === 1)).toBe(true);
      });

      test('a dry run reports what would move and moves nothing', async () => {
        await deadLetter(['a', 'b']);
        const result = await q.redrive('q-dlq', { dryRun: true });
        expect(result.moved).toBe(0);
        expect(result.messages).toHaveLength(2);
        expect(result.messages.every((m) => m.to === 'q')).toBe(true);
        expect(await q.stats('q')).toMatchObject({ visible: 0, deadLettered: 2 });
      });

      test('max moves at most that many', async () => {
        await deadLetter(['a', 'b', 'c']);
        expect((await q.redrive('q-dlq', { max: 2 })).moved).toBe(2);
        expect(await q.stats('q')).toMatchObject({ visible: 2, deadLettered: 1 });
      });

      test('filter moves only the matching messages', async () => {
        await deadLetter(['keep', 'move-1', 'move-2']);
        const result = await q.redrive('q-dlq', { filter: (m) => m.body.startsWith('move') && m.lastError?.message === `bad ${m.body}` });
        expect(result.moved).toBe(2);
        expect((await q.receive('q', { maxMessages: 10 })).map((m) => m.body).sort()).toEqual(['move-1', 'move-2']);
        expect((await receiveOne('q-dlq')).body).toBe('keep');
      });

      test('running it again is safe: nothing moves twice', async () => {
        await deadLetter(['a', 'b']);
        expect((await q.redrive('q-dlq')).moved).toBe(2);
        const again = await q.redrive('q-dlq');
        expect(again).toEqual({ moved: 0, messages: [] });
        expect((await q.receive('q', { maxMessages: 10 })).map((m) => m.body).sort()).toEqual(['a', 'b']);
      });

      test('to sends the messages to another queue', async () => {
        await deadLetter(['a']);
        await q.declare(queueConfig('fixed'));
        const result = await q.redrive('q-dlq', { to: 'fixed' });
        expect(result.messages.map((m) => [m.sourceQueue, m.to])).toEqual([['q', 'fixed']]);
        expect((await receiveOne('fixed')).body).toBe('a');
        expect((await q.stats('q')).visible).toBe(0);
      });

      test('leaves a message that a DLQ consumer holds where it is', async () => {
        await deadLetter(['a', 'b']);
        const held = await receiveOne('q-dlq');
        const result = await q.redrive('q-dlq');
        expect(result.messages.map((m) => m.messageId)).not.toContain(held.messageId);
        expect(result.moved).toBe(1);
        await q.delete('q-dlq', held.receiptHandle);
        expect(await q.stats('q')).toMatchObject({ visible: 1, deadLettered: 0 });
      });

      test('does not bring back a message past the DLQ retention', async () => {
        await q.declare(queueConfig('q-dlq', { retentionMs: 60 * SECOND }));
        await q.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
        await q.send('q', { body: 'a' });
        await q.release('q', (await receiveOne('q')).receiptHandle, { error: new Error('x') });
        await clock.advance(60 * SECOND);
        expect(await q.redrive('q-dlq')).toEqual({ moved: 0, messages: [] });
        expect(await q.receive('q')).toEqual([]);
      });

      test('a redriven message that fails again goes back to the DLQ', async () => {
        await deadLetter(['a']);
        await q.redrive('q-dlq');
        const m = await receiveOne('q');
        expect(await q.release('q', m.receiptHandle, { error: new Error('still bad') })).toEqual({ deadLettered: true });
        expect((await receiveOne('q-dlq', { countAttempt: false })).lastError?.message).toBe('still bad');
      });
    });

    describe('stats and purge', () => {
      test('counts visible, in-flight and delayed messages and the age of the oldest', async () => {
        await withDlq('q', 3);
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }, { body: 'c' }, { body: 'd', delayMs: 60 * SECOND }]);
        await clock.advance(5 * SECOND);
        await q.receive('q', { maxMessages: 1 });
        expect(await q.stats('q')).toEqual({ queue: 'q', visible: 2, inFlight: 1, delayed: 1, oldestAgeMs: 5 * SECOND, deadLettered: 0 });
        const empty = await q.stats('q-dlq');
        expect(empty).toMatchObject({ queue: 'q-dlq', visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: 0 });
        expect(empty.deadLettered).toBeUndefined();
      });

      test('purge deletes every message and says how many', async () => {
        await q.declare(queueConfig('q'));
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }, { body: 'c', delayMs: SECOND }]);
        await q.receive('q', { maxMessages: 1 });
        expect(await q.purge('q')).toBe(3);
        expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
        await clock.advance(60 * SECOND);
        expect(await q.receive('q')).toEqual([]);
      });
    });

    describe('long poll', () => {
      test('waits for a message and wakes as soon as one is sent', async () => {
        await q.declare(queueConfig('q'));
        const waiting = track(q.receive('q', { waitMs: 20 * SECOND }));
        await settle();
        expect(waiting.settled()).toBe(false);
        await q.send('q', { body: 'hello' });
        const got = await waiting.promise;
        expect(got.map((m) => m.body)).toEqual(['hello']);
      });

      test('returns nothing once waitMs passes without a message', async () => {
        await q.declare(queueConfig('q'));
        const waiting = track(q.receive('q', { waitMs: 2 * SECOND }));
        await clock.advance(2 * SECOND - 1);
        expect(waiting.settled()).toBe(false);
        await clock.advance(1);
        await settle();
        expect(waiting.settled()).toBe(true);
        expect(await waiting.promise).toEqual([]);
      });

      test('picks up a delayed message when its delay passes during the wait', async () => {
        await q.declare(queueConfig('q'));
        await q.send('q', { body: 'soon', delayMs: SECOND });
        const waiting = track(q.receive('q', { waitMs: 10 * SECOND }));
        await clock.advance(SECOND);
        await clock.advance(SECOND);
        expect((await waiting.promise).map((m) => m.body)).toEqual(['soon']);
      });

      test('wakes when a message is released or made visible again', async () => {
        await q.declare(queueConfig('q'));
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
        const [a, b] = await q.receive('q', { maxMessages: 2 });
        const first = track(q.receive('q', { waitMs: 20 * SECOND }));
        await settle();
        expect(first.settled()).toBe(false);
        await q.release('q', a!.receiptHandle);
        expect(await first.promise).toHaveLength(1);
        const second = track(q.receive('q', { waitMs: 20 * SECOND }));
        await settle();
        expect(second.settled()).toBe(false);
        await q.changeVisibility('q', b!.receiptHandle, 0);
        expect(await second.promise).toHaveLength(1);
      });

      test('an aborted signal ends the wait with the abort reason', async () => {
        await q.declare(queueConfig('q'));
        const controller = new AbortController();
        const waiting = q.receive('q', { waitMs: 20 * SECOND, signal: controller.signal });
        await settle();
        controller.abort(new Error('shutting down'));
        expect((await rejection(waiting)).message).toBe('shutting down');
        expect((await rejection(q.receive('q', { waitMs: 1000, signal: controller.signal }))).message).toBe('shutting down');
      });

      test('two waiters and one message: exactly one gets it, the other keeps waiting', async () => {
        await q.declare(queueConfig('q'));
        const one = track(q.receive('q', { waitMs: 5 * SECOND }));
        const two = track(q.receive('q', { waitMs: 5 * SECOND }));
        await settle();
        await q.send('q', { body: 'only' });
        await settle();
        expect(one.settled() !== two.settled()).toBe(true);
        await clock.advance(5 * SECOND);
        const all = [...(await one.promise), ...(await two.promise)];
        expect(all.map((m) => m.body)).toEqual(['only']);
      });
    });

    describe('peek', () => {
      test('peek pages through a queue oldest first, with each state, without receiving anything', async () => {
        await q.declare(queueConfig('q', { visibilityTimeoutMs: 10 * SECOND }));
        for (let i = 0; i < 6; i++) await q.send('q', { body: `m${i}`, attributes: { n: i } });
        await q.send('q', { body: 'later', delayMs: 60 * SECOND });
        const held = await receiveOne('q');
        const seen: Array<[string, string]> = [];
        let cursor: string | undefined;
        for (let n = 0; n < 10; n++) {
          const page = await q.peek('q', { limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((m): [string, string] => [m.body, m.state]));
          if (page.next === null) break;
          cursor = page.next;
        }
        expect(seen).toEqual([['m0', 'inFlight'], ['m1', 'visible'], ['m2', 'visible'], ['m3', 'visible'], ['m4', 'visible'], ['m5', 'visible'], ['later', 'delayed']]);
        const first = (await q.peek('q', { limit: 2 })).items[1]!;
        expect(first).toMatchObject({ body: 'm1', attributes: { n: 1 }, receiveCount: 0, attempts: 0 });
        expect(first.messageId).toMatch(/\S/);
        // Nothing was received: the held lease is still the current one, the rest are there as sent.
        await q.delete('q', held.receiptHandle);
        const rest = await q.receive('q', { maxMessages: 10 });
        expect(rest.map((m) => [m.body, m.receiveCount])).toEqual([['m1', 1], ['m2', 1], ['m3', 1], ['m4', 1], ['m5', 1]]);
      });

      test("peek of a dead-letter queue shows each message's source queue, attempts and last error", async () => {
        await withDlq('q', 1);
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
        for (const m of await q.receive('q', { maxMessages: 10 })) await q.release('q', m.receiptHandle, { error: new Error(`bad ${m.body}`) });
        const page = await q.peek('q-dlq');
        expect(page.next).toBeNull();
        expect(page.items.map((m) => [m.body, m.sourceQueue, m.attempts, m.lastError?.message])).toEqual([['a', 'q', 1, 'bad a'], ['b', 'q', 1, 'bad b']]);
        expect((await q.redrive('q-dlq', { dryRun: true })).messages).toHaveLength(2);
      });

      test('peek lists the messages of a queue without a DLQ and leaves them receivable', async () => {
        await q.declare(queueConfig('plain'));
        await q.sendBatch('plain', [{ body: 'x' }, { body: 'y' }, { body: 'z' }]);
        const page = await q.peek('plain', { limit: 10 });
        expect(page.items.map((m) => m.body).sort()).toEqual(['x', 'y', 'z']);
        expect(page.next).toBeNull();
        expect((await q.receive('plain', { maxMessages: 10 })).map((m) => m.body).sort()).toEqual(['x', 'y', 'z']);
      });

      test('peek refuses an unknown queue, a cursor it did not hand out and a bad limit', async () => {
        await q.declare(queueConfig('plain'));
        expect(await rejection(q.peek('nowhere'))).toBeInstanceOf(NotFoundError);
        expect(await rejection(q.peek('plain', { cursor: 'nope' }))).toBeInstanceOf(ValidationError);
        expect(await rejection(q.peek('plain', { limit: 0 }))).toBeInstanceOf(ValidationError);
      });
    });

    describe('durability', () => {
      it('queues and messages, leases included, survive a reopen', async (ctx) => {
        if (!h.reopen) return ctx.skip('this backend cannot be reopened by the harness');
        await withDlq('q', 3, { visibilityTimeoutMs: 10 * SECOND });
        await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
        const held = await receiveOne('q');
        const reopened = await h.reopen();
        q = reopened.queues;
        expect((await q.list()).map((c) => c.name).sort()).toEqual(['q', 'q-dlq']);
        expect(await q.stats('q')).toMatchObject({ visible: 1, inFlight: 1, deadLettered: 0 });
        await q.delete('q', held.receiptHandle);
        expect((await receiveOne('q')).body).not.toBe(held.body);
      });
    });
  });
}
