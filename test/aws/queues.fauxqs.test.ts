/**
 * The queue port on the aws backend (SQS, served by fauxqs on 127.0.0.1): the conformance suite,
 * skipping with the reason each case SQS cannot give, and real-time tests (1 s timeouts) for the
 * skipped behaviours that SQS does have.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, StoreError } from '../../src/core/errors.ts';
import { openAws } from '../../src/backends/aws/index.ts';
import type { QueueStore, ReceivedMessage } from '../../src/ports/queues.ts';
import { queueConfig, rejection, runQueueConformance } from '../conformance/queues.ts';
import { awsTestCredentials, awsTestRegion, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const clock = 'the servers keep real time and this case moves the fake clock past an SQS timer (covered in real time below where cheap)';
const fenced = 'SQS accepts a delete or visibility change with an old receipt handle instead of refusing it (no fenced leases)';
const attempts = 'SQS counts every receive as an attempt; it cannot count only receives whose handler started';
const errors = 'an SQS message cannot carry the error recorded on release, and release never dead-letters at once (SQS moves it on a later receive)';
const viaRelease = 'fills the DLQ by release on the last attempt, which SQS does not do (the redrive itself is covered in real time below)';

const skips = {
  'peek pages through a queue oldest first, with each state, without receiving anything': 'SQS has no peek: the aws backend lists by receiving (one page, no cursor, receive counts go up; src/backends/aws/queues/peek.ts)',
  "peek of a dead-letter queue shows each message's source queue, attempts and last error": viaRelease,
  'declaring again updates the queue, and the new visibility timeout applies': clock,
  'a received message carries its body, attributes, id, times and counts': `${clock}; sentAt and firstReceivedAt are SQS's own times`,
  'hides a received message until its visibility timeout passes, then delivers it with a new receipt': clock,
  'a visibilityTimeoutMs on receive overrides the queue default': clock,
  'never delivers the same message twice in one batch, even with a zero visibility timeout': `${clock} (retention of 60 s)`,
  'refuses a stale receipt after the message was received again, and keeps the message': fenced,
  'a receipt whose message was deleted is stale, and the error says it was deleted': fenced,
  'a receipt from another queue is refused': 'fauxqs accepts a receipt handle of another queue (real SQS refuses it as ReceiptHandleIsInvalid)',
  'deleteBatch deletes the current ones and reports each stale one alone': fenced,
  'a lease extended and then passed makes the message visible again': clock,
  'zero makes the message visible at once': `asserts the old receipt is refused afterwards: ${fenced}`,
  'refuses a stale receipt and leaves the current lease alone': fenced,
  'gives the message back at once and records the error with its stack': errors,
  'with delayMs keeps the message hidden that long': clock,
  'ends the lease: the same receipt is stale afterwards': fenced,
  'refuses a stale receipt': fenced,
  'writes made in backend.together (one by one where a backend has none) each take effect or fail alone': `asserts a stale startAttempts and a second delete are refused, and release dead-letters at once: ${fenced}`,
  'a message sent with delayMs is not receivable until the delay passes': clock,
  "the queue's delay applies to messages sent without one": clock,
  'a message past retention is never delivered and is removed': `${clock} (SQS's shortest retention is 60 s)`,
  'stats does not count messages past retention': `${clock} (SQS's shortest retention is 60 s)`,
  'a message whose lease expires on its last attempt moves to the DLQ on the next receive': `${clock}; and SQS keeps accepting the old receipts`,
  'release on the last attempt moves the message to the DLQ at once with its error and stack': errors,
  'receives with countAttempt: false never dead-letter a message that did not run': attempts,
  'startAttempts counts an attempt once per lease, and then the DLQ applies': attempts,
  'startAttempts refuses a stale receipt': `${attempts}; ${fenced}`,
  'handBack makes the messages visible at once, keeps each lease, and takes back the attempt the receive counted': `${attempts} (a receive's count cannot be taken back); ${fenced}`,
  'handBack takes back only the attempt this lease counted: none for an uncounted lease, one at most per lease': `${attempts} (a receive's count cannot be taken back)`,
  'moves every message back to its source queue with attempts and receive count reset': viaRelease,
  'a dry run reports what would move and moves nothing': viaRelease,
  'max moves at most that many': viaRelease,
  'filter moves only the matching messages': `${viaRelease}; and filters on lastError, which SQS cannot keep`,
  'running it again is safe: nothing moves twice': viaRelease,
  'to sends the messages to another queue': viaRelease,
  'leaves a message that a DLQ consumer holds where it is': viaRelease,
  'a redriven message that fails again goes back to the DLQ': `${viaRelease}; and reads lastError`,
  'counts visible, in-flight and delayed messages and the age of the oldest': `${clock}; and SQS has no age of the oldest message (a CloudWatch metric), so oldestAgeMs is 0`,
  'returns nothing once waitMs passes without a message': clock,
  'two waiters and one message: exactly one gets it, the other keeps waiting': clock,
};

runQueueConformance('aws (SQS on fauxqs)', () => makeAwsBackend(), skips);

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const SECOND = 1000;

describe('aws queue store on SQS, in real time', () => {
  let h: AwsHarness;
  let q: QueueStore;
  const requests: string[] = [];

  beforeEach(() => {
    requests.length = 0;
    h = makeAwsBackend({ onRequest: (_service, command) => requests.push(command) });
    q = h.backend.queues;
  });
  afterEach(async () => {
    await h.close();
  });

  async function receiveOne(queue: string, options: Parameters<QueueStore['receive']>[1] = {}): Promise<ReceivedMessage> {
    const got = await q.receive(queue, { maxMessages: 1, ...options });
    expect(got).toHaveLength(1);
    return got[0]!;
  }

  it('hides a received message for its 1 s visibility timeout, then delivers it with a new receipt and SQS times', async () => {
    await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
    const before = Date.now();
    await q.send('q', { body: 'a', attributes: { kind: 'order', n: 3 } });
    const first = await receiveOne('q');
    expect(first).toMatchObject({ body: 'a', attributes: { kind: 'order', n: 3 }, receiveCount: 1, attempts: 1 });
    expect(first.sentAt).toBeGreaterThanOrEqual(before - 1000);
    expect(first.sentAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(first.firstReceivedAt).toBeGreaterThanOrEqual(first.sentAt);
    expect(await q.receive('q')).toEqual([]);
    await wait(1100);
    const second = await receiveOne('q');
    expect(second.messageId).toBe(first.messageId);
    expect(second.receiptHandle).not.toBe(first.receiptHandle);
    expect(second.receiveCount).toBe(2);
    expect(second.firstReceivedAt).toBe(first.firstReceivedAt);
  });

  it('handBack makes the messages visible at once in one batch call; the receive count stays (SQS cannot take it back)', async () => {
    await q.declare(queueConfig('q', { visibilityTimeoutMs: 60 * SECOND }));
    await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
    const got = await q.receive('q', { maxMessages: 2 });
    expect(got).toHaveLength(2);
    requests.length = 0;
    expect((await q.handBack('q', got.map((m) => m.receiptHandle))).map((r) => r.ok)).toEqual([true, true]);
    expect(requests).toEqual(['ChangeMessageVisibilityBatchCommand']);
    const again = await q.receive('q', { maxMessages: 2 });
    expect(again.map((m) => m.messageId).sort()).toEqual(got.map((m) => m.messageId).sort());
    expect(again.map((m) => m.attempts)).toEqual([2, 2]);
  });

  it('a visibilityTimeoutMs on receive overrides the queue default; release with delayMs hides the message that long', async () => {
    await q.declare(queueConfig('q'));
    await q.send('q', { body: 'a' });
    await receiveOne('q', { visibilityTimeoutMs: SECOND });
    await wait(1100);
    const again = await receiveOne('q');
    expect(again.receiveCount).toBe(2);
    expect(await q.release('q', again.receiptHandle, { error: new Error('x'), delayMs: SECOND })).toEqual({ deadLettered: false });
    expect(await q.receive('q')).toEqual([]);
    await wait(1100);
    expect((await receiveOne('q')).receiveCount).toBe(3);
  });

  it("a message's delay and the queue's delay hold it back (1 s)", async () => {
    await q.declare(queueConfig('q'));
    await q.declare(queueConfig('slow', { delayMs: SECOND }));
    await q.send('q', { body: 'later', delayMs: SECOND });
    await q.send('slow', { body: 'later too' });
    expect(await q.receive('q')).toEqual([]);
    expect(await q.receive('slow')).toEqual([]);
    expect((await q.stats('q')).delayed).toBe(1);
    await wait(1100);
    expect((await receiveOne('q')).body).toBe('later');
    expect((await receiveOne('slow')).body).toBe('later too');
  });

  it('a long poll returns nothing once waitMs (rounded up to whole seconds) passes', async () => {
    await q.declare(queueConfig('q'));
    const started = Date.now();
    expect(await q.receive('q', { waitMs: SECOND })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('the redrive policy moves a message past maxReceiveCount to the DLQ on the next receive; stats counts it', async () => {
    await q.declare(queueConfig('q-dlq'));
    await q.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
    expect((await q.list()).find((c) => c.name === 'q')?.deadLetter).toEqual({ queue: 'q-dlq', maxReceiveCount: 1 });
    await q.send('q', { body: 'poison', attributes: { tenant: 'acme' } });
    const m = await receiveOne('q');
    await q.release('q', m.receiptHandle);
    expect(await q.receive('q')).toEqual([]);
    expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, deadLettered: 1 });
    const dead = await receiveOne('q-dlq', { visibilityTimeoutMs: 0 });
    expect(dead).toMatchObject({ messageId: m.messageId, body: 'poison', attributes: { tenant: 'acme' } });
    expect(dead.lastError).toBeUndefined();
  });

  describe('redrive (receive + send + delete)', () => {
    async function deadLetter(bodies: string[]): Promise<void> {
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      await q.sendBatch('q', bodies.map((body) => ({ body })));
      const got = await q.receive('q', { maxMessages: 100 });
      expect(got).toHaveLength(bodies.length);
      for (const m of got) await q.release('q', m.receiptHandle);
      expect(await q.receive('q', { maxMessages: 100 })).toEqual([]);
      expect((await q.stats('q')).deadLettered).toBe(bodies.length);
    }

    it('moves every message back to its source queue (from the declared redrive policy); again moves nothing', async () => {
      await deadLetter(['a', 'b', 'c']);
      const result = await q.redrive('q-dlq');
      expect(result.moved).toBe(3);
      expect(result.messages.map((m) => [m.sourceQueue, m.to])).toEqual([['q', 'q'], ['q', 'q'], ['q', 'q']]);
      expect(await q.stats('q')).toMatchObject({ visible: 3, deadLettered: 0 });
      const back = await q.receive('q', { maxMessages: 10 });
      expect(back.map((m) => m.body).sort()).toEqual(['a', 'b', 'c']);
      expect(back.every((m) => m.receiveCount === 1)).toBe(true);
      expect(await q.redrive('q-dlq')).toEqual({ moved: 0, messages: [] });
    });

    it('a dry run moves nothing and leaves the messages receivable; max and filter limit what moves; to sends elsewhere', async () => {
      await deadLetter(['keep', 'move-1', 'move-2', 'move-3']);
      const dry = await q.redrive('q-dlq', { dryRun: true });
      expect(dry.moved).toBe(0);
      expect(dry.messages).toHaveLength(4);
      expect((await q.stats('q')).deadLettered).toBe(4);
      const filtered = await q.redrive('q-dlq', { filter: (m) => m.body.startsWith('move'), max: 2 });
      expect(filtered.moved).toBe(2);
      await q.declare(queueConfig('fixed'));
      const rest = await q.redrive('q-dlq', { filter: (m) => m.body.startsWith('move'), to: 'fixed' });
      expect(rest.messages.map((m) => m.to)).toEqual(['fixed']);
      expect((await receiveOne('fixed')).body).toMatch(/^move-/);
      expect((await receiveOne('q-dlq')).body).toBe('keep');
    });

    it('leaves a message that a DLQ consumer holds where it is', async () => {
      await deadLetter(['a', 'b']);
      const held = await receiveOne('q-dlq');
      const result = await q.redrive('q-dlq');
      expect(result.messages.map((m) => m.messageId)).toEqual([expect.not.stringMatching(held.messageId)]);
      await q.delete('q-dlq', held.receiptHandle);
      expect(await q.stats('q')).toMatchObject({ visible: 1, deadLettered: 0 });
    });
  });

  it('SQS accepts a delete with an old receipt handle (no fencing) instead of refusing it', async () => {
    await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
    await q.send('q', { body: 'a' });
    const old = await receiveOne('q');
    await wait(1100);
    const current = await receiveOne('q');
    // SQS documents that such a delete succeeds and may or may not delete the message.
    await q.delete('q', old.receiptHandle);
    await q.delete('q', current.receiptHandle);
  });

  it('receives more than 10 in several calls, and sends more than 10 in several batches', async () => {
    await q.declare(queueConfig('q'));
    const sent = await q.sendBatch('q', Array.from({ length: 23 }, (_, i) => ({ body: `m${i}` })));
    expect(sent.every((r) => r.ok)).toBe(true);
    expect(requests.filter((c) => c === 'SendMessageBatchCommand')).toHaveLength(3);
    const got = await q.receive('q', { maxMessages: 23 });
    expect(new Set(got.map((m) => m.body)).size).toBe(23);
    const deleted = await q.deleteBatch('q', got.map((m) => m.receiptHandle));
    expect(deleted.every((r) => r.ok)).toBe(true);
    expect(requests.filter((c) => c === 'DeleteMessageBatchCommand')).toHaveLength(3);
  });

  it('declare is idempotent: a second declare of the same config changes nothing', async () => {
    await q.declare(queueConfig('q-dlq'));
    const config = queueConfig('q', { visibilityTimeoutMs: 1500, maxMessageSize: 1000, deadLetter: { queue: 'q-dlq', maxReceiveCount: 3 } });
    await q.declare(config);
    requests.length = 0;
    await q.declare(config);
    expect(requests.filter((c) => c.startsWith('Create') || c.startsWith('Set') || c.startsWith('Tag'))).toEqual([]);
    // Values SQS rounds (1.5 s, 1000 bytes) read back exactly, from a fresh backend.
    const other = await h.reopen!();
    expect((await other.queues.list()).find((c) => c.name === 'q')).toEqual(config);
  });

  it('an unknown queue is a NotFoundError saying to declare it', async () => {
    for (const call of [() => q.send('ghost', { body: 'x' }), () => q.receive('ghost'), () => q.stats('ghost'), () => q.purge('ghost'), () => q.redrive('ghost')]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).toMatch(/"ghost".*Declare it/s);
    }
  });

  it('an endpoint that does not answer is a StoreError saying so', async () => {
    const dead = openAws({ region: awsTestRegion, credentials: awsTestCredentials, endpoint: 'http://127.0.0.1:9', prefix: h.prefix }, {});
    try {
      const err = await rejection(dead.queues.send('q', { body: 'x' }));
      expect(err).toBeInstanceOf(StoreError);
      expect(err.message).toContain('http://127.0.0.1:9 does not answer');
    } finally {
      await dead.close();
    }
  });
});
