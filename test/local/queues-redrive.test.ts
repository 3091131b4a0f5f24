/**
 * Local redrive and stats on a large DLQ: redrive reads its candidates in one sorted query and
 * moves them by chunks of ids, so max and filter must hold across chunk boundaries (5,000 ids) and
 * pick the oldest first; stats counts from indexes, and the lazy expiry still removes what is past
 * retention.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueConfig } from '../conformance/queues.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const N = 12_000;
const SECOND = 1000;

describe('local redrive and stats on a large DLQ', { timeout: 120_000 }, () => {
  let t: TestBackend;
  beforeEach(async () => {
    t = makeLocalBackend();
    await t.backend.queues.declare(queueConfig('q-dlq', { retentionMs: 3_600 * SECOND }));
    await t.backend.queues.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
    await t.backend.queues.declare(queueConfig('other'));
  });
  afterEach(async () => {
    await t.close();
  });

  /** Dead-letters messages with bodies `0`..`n-1`, in that order (send order is row order). */
  const deadLetter = async (n: number) => {
    const q = t.backend.queues;
    for (let i = 0; i < n; i += 500) {
      await q.sendBatch('q', Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ body: String(i + j) })));
      const got = await q.receive('q', { maxMessages: 500 });
      for (const m of got) await q.release('q', m.receiptHandle, { error: new Error(`bad ${m.body}`) });
    }
  };

  it('moves the oldest first across chunks, with max and with a filter, and counts stay right', async () => {
    const q = t.backend.queues;
    await deadLetter(N);
    expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, deadLettered: N });
    expect(await q.stats('q-dlq')).toMatchObject({ visible: N, inFlight: 0, delayed: 0 });

    const dry = await q.redrive('q-dlq', { dryRun: true });
    expect(dry.moved).toBe(0);
    expect(dry.messages).toHaveLength(N);
    expect(new Set(dry.messages.map((m) => m.messageId)).size).toBe(N);
    expect(dry.messages.every((m) => m.sourceQueue === 'q' && m.to === 'q' && m.attempts === 1)).toBe(true);

    // max over a chunk boundary: the 7,001 oldest, in order.
    const first = await q.redrive('q-dlq', { max: 7001 });
    expect(first.moved).toBe(7001);
    expect(first.messages.map((m) => m.messageId)).toEqual(dry.messages.slice(0, 7001).map((m) => m.messageId));
    expect(first.messages[7000]!.lastError?.message).toBe('bad 7000');
    expect(await q.stats('q')).toMatchObject({ visible: 7001, deadLettered: N - 7001 });

    // A filter over what is left (7001..11999): only multiples of 3, the 500 oldest of them.
    const filtered = await q.redrive('q-dlq', { max: 500, filter: (m) => Number(m.body) % 3 === 0 });
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i >= 7001 && i % 3 === 0).slice(0, 500);
    expect(filtered.messages.map((m) => Number(m.lastError!.message.slice(4)))).toEqual(expected);
    expect(await q.stats('q')).toMatchObject({ visible: 7501, deadLettered: N - 7501 });

    // What moved is in q with attempts reset; what did not is still in the DLQ.
    const back = await q.peek('q', { limit: 500 });
    expect(back.items.every((m) => m.attempts === 0 && m.receiveCount === 0 && m.sourceQueue === undefined)).toBe(true);
    const rest = await q.redrive('q-dlq');
    expect(rest.moved).toBe(N - 7501);
    expect(await q.stats('q')).toMatchObject({ visible: N, deadLettered: 0 });
    expect(await q.redrive('q-dlq')).toEqual({ moved: 0, messages: [] });
  });

  it('leaves a message with no source queue unless `to` is given', async () => {
    const q = t.backend.queues;
    await deadLetter(3);
    await q.send('q-dlq', { body: 'sent straight to the DLQ' });
    expect((await q.redrive('q-dlq', { dryRun: true })).messages).toHaveLength(3);
    const moved = await q.redrive('q-dlq', { to: 'other' });
    expect(moved.messages.map((m) => [m.sourceQueue, m.to])).toEqual([['q', 'other'], ['q', 'other'], ['q', 'other'], [undefined, 'other']]);
    expect(await q.stats('other')).toMatchObject({ visible: 4 });
    expect(await q.stats('q')).toMatchObject({ visible: 0, deadLettered: 0 });
  });

  it('stats removes what is past retention, reports the oldest left, and counts in-flight and delayed apart', async () => {
    const q = t.backend.queues;
    await deadLetter(1000);
    await t.clock.advance(1_800 * SECOND);
    await q.sendBatch('q', [{ body: 'late-1' }, { body: 'late-2' }, { body: 'later', delayMs: 60 * SECOND }]);
    await q.receive('q', { maxMessages: 1 });
    expect(await q.stats('q')).toEqual({ queue: 'q', visible: 1, inFlight: 1, delayed: 1, oldestAgeMs: 0, deadLettered: 1000 });
    await t.clock.advance(1_800 * SECOND);
    // The DLQ's messages are now exactly an hour old: past its retention, not counted, and deleted by its own stats.
    expect((await q.stats('q')).deadLettered).toBe(0);
    expect(await q.stats('q-dlq')).toEqual({ queue: 'q-dlq', visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: 0 });
    expect((await q.peek('q-dlq')).items).toEqual([]);
    expect(await q.stats('q')).toMatchObject({ visible: 3, inFlight: 0, delayed: 0, oldestAgeMs: 1_800 * SECOND });
  });
});
