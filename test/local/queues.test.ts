import { describe, expect, it } from 'vitest';
import { openLocal } from '../../src/backends/local/index.ts';
import { enqueueWithin, inlineBodyMax } from '../../src/backends/local/queues/enqueue.ts';
import { defaults } from '../../src/core/defaults.ts';
import { NotFoundError, StaleReceiptError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import { queueConfig, rejection, runQueueConformance } from '../conformance/queues.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const SECOND = 1000;

runQueueConformance('local', () => makeLocalBackend());

/** Runs `fn` with a fresh local backend and always removes it. */
async function withLocal(fn: (t: TestBackend) => Promise<void>): Promise<void> {
  const t = makeLocalBackend();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

describe('local queues: state on disk', () => {
  it('a queue declared before a reopen accepts messages after it without being declared again', () =>
    withLocal(async (t) => {
      await t.backend.queues.declare(queueConfig('q', { maxMessageSize: 100 }));
      await t.backend.queues.send('q', { body: 'before' });
      const q = (await t.reopen()).queues;
      await q.send('q', { body: 'after' });
      expect(await rejection(q.send('q', { body: 'x'.repeat(101) }))).toBeInstanceOf(TooLargeError);
      expect((await q.receive('q', { maxMessages: 10 })).map((m) => m.body)).toEqual(['before', 'after']);
    }));

  it('a receipt superseded after a reopen is stale, and the current one still deletes', () =>
    withLocal(async (t) => {
      await t.backend.queues.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
      await t.backend.queues.send('q', { body: 'a' });
      const [old] = await t.backend.queues.receive('q');
      const q = (await t.reopen()).queues;
      await t.clock.advance(SECOND);
      const [current] = await q.receive('q');
      expect(current?.messageId).toBe(old?.messageId);
      expect(await rejection(q.delete('q', old!.receiptHandle))).toBeInstanceOf(StaleReceiptError);
      await q.delete('q', current!.receiptHandle);
      expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0 });
    }));

  it('another process opening the same state sees declared queues and their messages', () =>
    withLocal(async (t) => {
      await t.backend.queues.declare(queueConfig('shared'));
      const other = openLocal({ dir: t.dir, clock: t.clock, paramsKey: Buffer.alloc(32, 7) });
      try {
        expect((await other.queues.list()).map((c) => c.name)).toEqual(['shared']);
        await other.queues.send('shared', { body: 'from the other process' });
        const [m] = await t.backend.queues.receive('shared');
        expect(m?.body).toBe('from the other process');
        expect(await other.queues.receive('shared')).toEqual([]);
        await other.queues.delete('shared', m!.receiptHandle);
        expect((await t.backend.queues.stats('shared')).inFlight).toBe(0);
      } finally {
        await other.close();
      }
    }));
});

describe('local queues: message ids', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9]{12}$/;

  it('are UUID-shaped, unique, and the same from send to receive, through a DLQ move and a redrive, after a reopen and in another process', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      const sent = [(await q.send('q', { body: 'one' })).messageId, ...(await q.sendBatch('q', [{ body: 'two' }, { body: 'three' }])).map((r) => r.value!.messageId)];
      for (const id of sent) expect(id).toMatch(uuid);
      expect(new Set(sent).size).toBe(3);
      const got = await q.receive('q', { maxMessages: 10 });
      expect(got.map((m) => m.messageId)).toEqual(sent);
      await q.release('q', got[0]!.receiptHandle, { error: new Error('boom') });
      await q.release('q', got[1]!.receiptHandle);
      expect((await q.receive('q-dlq', { maxMessages: 10 })).map((m) => m.messageId)).toEqual([sent[0], sent[1]]);
      await t.clock.advance(31 * SECOND);
      const moved = await q.redrive('q-dlq');
      expect(moved.messages.map((m) => m.messageId)).toEqual([sent[0], sent[1]]);
      const again = (await t.reopen()).queues;
      expect((await again.receive('q', { maxMessages: 10 })).map((m) => m.messageId)).toEqual([sent[0], sent[1]]);
      const other = openLocal({ dir: t.dir, clock: t.clock, paramsKey: Buffer.alloc(32, 7) });
      try {
        const fromOther = await other.queues.send('q', { body: 'four' });
        expect(fromOther.messageId).toMatch(uuid);
        expect(fromOther.messageId.slice(0, 24)).toBe(sent[0]!.slice(0, 24));
        expect((await again.receive('q')).map((m) => m.messageId)).toEqual([fromOther.messageId]);
      } finally {
        await other.close();
      }
    }));

  it('differ between two databases', async () => {
    const a = makeLocalBackend();
    const b = makeLocalBackend();
    try {
      await a.backend.queues.declare(queueConfig('q'));
      await b.backend.queues.declare(queueConfig('q'));
      const [x, y] = [await a.backend.queues.send('q', { body: 'x' }), await b.backend.queues.send('q', { body: 'y' })];
      expect(x.messageId).not.toBe(y.messageId);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a message stored with its own id (written before ids were derived) keeps it', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      const { db } = t.backend.context;
      const now = t.clock.now();
      db.prepare("INSERT INTO queue_messages (queue_id, message_id, body, attributes, sent_at, enqueued_at, visible_at) VALUES ((SELECT id FROM queues WHERE name = 'q'), ?, 'old', NULL, ?, ?, ?)").run(
        '6f1c2a9e-0b7d-4c1e-9a55-3d2f8e7b6a10',
        now,
        now,
        now,
      );
      const [m] = await q.receive('q');
      expect(m?.messageId).toBe('6f1c2a9e-0b7d-4c1e-9a55-3d2f8e7b6a10');
      await q.release('q', m!.receiptHandle, { error: new Error('boom') });
      const err = await rejection(q.delete('q', m!.receiptHandle));
      expect(err.message).toContain('6f1c2a9e-0b7d-4c1e-9a55-3d2f8e7b6a10');
      await t.clock.advance(31 * SECOND);
      expect((await q.redrive('q-dlq')).messages.map((x) => x.messageId)).toEqual(['6f1c2a9e-0b7d-4c1e-9a55-3d2f8e7b6a10']);
    }));
});

describe('local queues: enqueueWithin', () => {
  it("commits with the caller's transaction and disappears with its rollback", () =>
    withLocal(async (t) => {
      const { db } = t.backend.context;
      await t.backend.queues.declare(queueConfig('events'));
      const committed = db.transaction(() => enqueueWithin(t.backend.context, 'events', { body: 'kept', attributes: { k: 'v' } }))();
      expect(() =>
        db.transaction(() => {
          enqueueWithin(t.backend.context, 'events', { body: 'rolled back' });
          throw new Error('the state change failed');
        })(),
      ).toThrow('the state change failed');
      const got = await t.backend.queues.receive('events', { maxMessages: 10 });
      expect(got.map((m) => [m.messageId, m.body, m.attributes])).toEqual([[committed.messageId, 'kept', { k: 'v' }]]);
    }));

  it('validates like send: undeclared queue, size', () =>
    withLocal(async (t) => {
      const ctx = t.backend.context;
      expect(() => enqueueWithin(ctx, 'nope', { body: 'x' })).toThrow(NotFoundError);
      await t.backend.queues.declare(queueConfig('small', { maxMessageSize: 10 }));
      expect(() => enqueueWithin(ctx, 'small', { body: 'x'.repeat(11) })).toThrow(TooLargeError);
    }));
});

describe('local queues: receive details', () => {
  it(`allows up to ${defaults.queue.maxReceiveBatchLocal} messages per receive, and no more`, () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q'));
      const max = defaults.queue.maxReceiveBatchLocal;
      await q.sendBatch('q', Array.from({ length: max + 5 }, (_, i) => ({ body: String(i) })));
      expect(await q.receive('q', { maxMessages: max })).toHaveLength(max);
      expect(await rejection(q.receive('q', { maxMessages: max + 1 }))).toBeInstanceOf(ValidationError);
    }));

  it('a large sendBatch (split over several INSERTs) keeps every entry, its order and its attributes; a bad entry fails alone', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q', { maxMessageSize: 100 }));
      for (const size of [1, 2, 37, 100, 131]) {
        const inputs = Array.from({ length: size }, (_, i) => (i % 11 === 5 ? { body: 'x'.repeat(101) } : { body: `${size}-${i}`, attributes: { i, kind: i % 2 ? 'odd' : 'even' } }));
        const results = await q.sendBatch('q', inputs);
        expect(results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
        expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual(inputs.flatMap((_, i) => (i % 11 === 5 ? [i] : [])));
        const sent = inputs.filter((_, i) => i % 11 !== 5);
        const got = await q.receive('q', { maxMessages: 1000 });
        expect(got.map((m) => m.body)).toEqual(sent.map((m) => m.body));
        expect(got.map((m) => m.attributes)).toEqual(sent.map((m) => m.attributes));
        expect(got.map((m) => m.messageId)).toEqual(results.filter((r) => r.ok).map((r) => r.value!.messageId));
        // every message gets its own attributes object
        got[0]!.attributes['changed'] = 'yes';
        expect(got[1]?.attributes['changed']).toBeUndefined();
        expect((await q.deleteBatch('q', got.map((m) => m.receiptHandle))).every((r) => r.ok)).toBe(true);
      }
      expect(await q.stats('q')).toMatchObject({ visible: 0, inFlight: 0 });
    }));

  it('delivers in send order, and fills a batch past expired and dead-lettered messages', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { retentionMs: 60 * SECOND, visibilityTimeoutMs: SECOND, deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      await q.sendBatch('q', [{ body: 'expires-1' }, { body: 'expires-2' }]);
      await t.clock.advance(50 * SECOND);
      await q.sendBatch('q', [{ body: 'poison-1' }, { body: 'poison-2' }]);
      expect(await q.receive('q', { maxMessages: 2 })).toHaveLength(2); // the expiring pair
      expect(await q.receive('q', { maxMessages: 2 })).toHaveLength(2); // the poison pair
      await t.clock.advance(10 * SECOND);
      await q.sendBatch('q', [{ body: 'good-1' }, { body: 'good-2' }, { body: 'good-3' }]);
      const got = await q.receive('q', { maxMessages: 3 });
      expect(got.map((m) => m.body)).toEqual(['good-1', 'good-2', 'good-3']);
      expect((await q.stats('q')).deadLettered).toBe(2);
    }));

  it('fills a batch page after page whether the last message of a page was skipped or taken, with or without a visibility timeout', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      for (const visibilityTimeoutMs of [0, 30 * SECOND]) {
        const name = `q${visibilityTimeoutMs}`;
        await q.declare(queueConfig(name, { retentionMs: 60 * SECOND }));
        // old-N are sent now and expire at 60 s; new-N are sent at 50 s. Visible order at 61 s:
        // new-0, old-1, new-2, old-3, new-4, old-5.
        for (const i of [1, 3, 5]) await q.send(name, { body: `old-${i}`, delayMs: 50 * SECOND + i });
        await t.clock.advance(50 * SECOND);
        for (const i of [0, 2, 4]) {
          await q.send(name, { body: `new-${i}` });
          await t.clock.advance(2);
        }
        await t.clock.advance(11 * SECOND);
        // Pages: [new-0, old-1, new-2] ends with a taken message, [old-3] with a skipped one, then [new-4].
        const got = await q.receive(name, { maxMessages: 3, visibilityTimeoutMs });
        expect(got.map((m) => m.body)).toEqual(['new-0', 'new-2', 'new-4']);
        expect(await q.stats(name)).toMatchObject(visibilityTimeoutMs === 0 ? { visible: 3, inFlight: 0 } : { visible: 0, inFlight: 3 });
      }
    }));

  it('a message dead-lettered by lease expiry records why when no handler recorded an error', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND, deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      await q.send('q', { body: 'slow' });
      await q.receive('q');
      await t.clock.advance(SECOND);
      expect(await q.receive('q')).toEqual([]);
      const [dead] = await q.receive('q-dlq');
      expect(dead?.lastError?.code).toBe('LEASE_EXPIRED');
      expect(dead?.lastError?.message).toContain("queue 'q'");
    }));

  it('a malformed receipt handle is a ValidationError, not a stale one', () =>
    withLocal(async (t) => {
      await t.backend.queues.declare(queueConfig('q'));
      const err = await rejection(t.backend.queues.delete('q', 'not-a-handle'));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('not-a-handle');
    }));

  it('startAttempts counts the current handles and names the stale ones', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND }));
      await q.sendBatch('q', [{ body: 'a' }, { body: 'b' }]);
      const first = await q.receive('q', { maxMessages: 2, countAttempt: false });
      await t.clock.advance(SECOND);
      const [a] = await q.receive('q', { maxMessages: 1, countAttempt: false });
      const b = first.find((m) => m.messageId !== a!.messageId)!;
      const stale = first.find((m) => m.messageId === a!.messageId)!;
      const err = await rejection(q.startAttempts('q', [stale.receiptHandle, b.receiptHandle]));
      expect(err).toBeInstanceOf(StaleReceiptError);
      expect(err.message).toContain('1 of 2');
      expect(err.message).toContain(stale.receiptHandle);
      await q.changeVisibility('q', b.receiptHandle, 0);
      const [again] = await q.receive('q', { maxMessages: 1, countAttempt: false });
      expect(again?.messageId).toBe(b.messageId);
      expect(again?.attempts).toBe(1);
    }));
});

describe('local queues: long bodies kept apart from their row', () => {
  // A body longer than inlineBodyMax is stored in queue_bodies (the row, rewritten by every lease
  // and attempt count, holds ''): what every reader sees must not change, and the body must go
  // with its message whatever removes it.
  const long = (tag: string) => `${tag}:` + 'é€x'.repeat(inlineBodyMax);
  const bodiesStored = (t: TestBackend) => t.backend.context.db.prepare('SELECT count(*) FROM queue_bodies').pluck().get() as number;
  const rowBodies = (t: TestBackend) => t.backend.context.db.prepare('SELECT body FROM queue_messages ORDER BY id').pluck().all() as string[];

  it('reads the same through receive, peek, the DLQ and redrive, and is deleted with its message', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { visibilityTimeoutMs: SECOND, deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      const edge = 'y'.repeat(inlineBodyMax);
      const bodies = [long('a'), '', 'short', edge, edge + 'z', long('b')];
      expect((await q.sendBatch('q', bodies.map((body) => ({ body, attributes: { n: body.length } })))).every((r) => r.ok)).toBe(true);
      await q.send('q', { body: long('single') });
      const all = [...bodies, long('single')];
      expect(bodiesStored(t)).toBe(4);
      expect(rowBodies(t)).toEqual(all.map((b) => (b.length > inlineBodyMax ? '' : b)));
      expect((await q.peek('q', { limit: 10 })).items.map((m) => m.body)).toEqual(all);

      const got = await q.receive('q', { maxMessages: 10, countAttempt: false });
      expect(got.map((m) => m.body)).toEqual(all);
      expect(got.map((m) => m.attributes['n'])).toEqual([...bodies.map((b) => b.length), undefined]);
      await q.startAttempts('q', got.map((m) => m.receiptHandle));
      // Three fail into the DLQ, still whole there and after a redrive.
      for (const m of got.slice(0, 3)) await q.release('q', m.receiptHandle, { error: new Error('bad') });
      expect((await q.peek('q-dlq', { limit: 10 })).items.map((m) => m.body)).toEqual(all.slice(0, 3));
      // The filter sees the whole stored message, body included.
      expect((await q.redrive('q-dlq', { filter: (m) => m.body === long('a') })).moved).toBe(1);
      expect((await q.receive('q', { maxMessages: 10 })).map((m) => m.body)).toEqual([long('a')]);

      // Deleted by its lease: its body goes with it; the others stay.
      expect((await q.deleteBatch('q', got.slice(3).map((m) => m.receiptHandle))).every((r) => r.ok)).toBe(true);
      expect(bodiesStored(t)).toBe(1);
      expect(await q.purge('q')).toBe(1);
      expect(bodiesStored(t)).toBe(0);
      expect((await q.receive('q-dlq', { maxMessages: 10 })).map((m) => m.body)).toEqual(['', 'short']);
    }));

  it('send reads the body once: what is checked and where it goes is what is stored', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q', { maxMessageSize: 4096 }));
      // Getters short at first and long after: send stored a row holding '' without its body (then
      // threw) when it chose its transaction from a read of its own, and a body checked short could
      // be stored over maxMessageSize.
      for (const later of [long('late'), 'y'.repeat(300_000)]) {
        let reads = 0;
        const input = {
          get body() {
            return ++reads === 1 ? 'short' : later;
          },
        };
        await q.send('q', input);
        expect(reads).toBe(1);
        const got = await q.receive('q', { maxMessages: 10 });
        expect(got.map((m) => m.body)).toEqual(['short']);
        expect(rowBodies(t)).toEqual(['short']);
        await q.delete('q', got[0]!.receiptHandle);
      }
      expect(bodiesStored(t)).toBe(0);
    }));

  it('goes with its message when retention expires it, and with a rolled-back enqueueWithin', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q', { retentionMs: 60 * SECOND }));
      await q.send('q', { body: long('old') });
      const { db } = t.backend.context;
      expect(() =>
        db.transaction(() => {
          enqueueWithin(t.backend.context, 'q', { body: long('rolled back') });
          throw new Error('the state change failed');
        })(),
      ).toThrow('the state change failed');
      expect(bodiesStored(t)).toBe(1);
      const kept = db.transaction(() => enqueueWithin(t.backend.context, 'q', { body: long('kept') }))();
      await t.clock.advance(50 * SECOND);
      await q.send('q', { body: long('new') });
      await t.clock.advance(11 * SECOND);
      expect((await q.receive('q', { maxMessages: 10 })).map((m) => m.body)).toEqual([long('new')]);
      expect(bodiesStored(t)).toBe(1);
      expect(kept.messageId).toMatch(/./);
    }));
});

describe('local queues: long poll across consumers', () => {
  it('many parked consumers share a burst of in-process sends without duplicates', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q'));
      const woken: string[] = [];
      const waiters = Array.from({ length: 5 }, () =>
        q.receive('q', { waitMs: 10 * SECOND, maxMessages: 1 }).then((got) => {
          woken.push(...got.map((m) => m.body));
          return got;
        }),
      );
      await new Promise<void>((r) => setImmediate(r));
      expect(t.clock.pending).toBe(5);
      await q.sendBatch('q', [{ body: '1' }, { body: '2' }, { body: '3' }]);
      await new Promise<void>((r) => setImmediate(r));
      // Woken by the send alone (the clock has not moved): three got one each, two still wait.
      expect(woken.sort()).toEqual(['1', '2', '3']);
      expect(t.clock.pending).toBe(2);
      await t.clock.advance(10 * SECOND);
      const got = (await Promise.all(waiters)).flat();
      expect(got.map((m) => m.body).sort()).toEqual(['1', '2', '3']);
      expect(t.clock.pending).toBe(0);
      expect(t.backend.context.signals.listenerCount('queue:q')).toBe(0);
    }));

  it('a long poll on a DLQ wakes when a message is dead-lettered', () =>
    withLocal(async (t) => {
      const q = t.backend.queues;
      await q.declare(queueConfig('q-dlq'));
      await q.declare(queueConfig('q', { deadLetter: { queue: 'q-dlq', maxReceiveCount: 1 } }));
      await q.send('q', { body: 'bad' });
      const [m] = await q.receive('q');
      const watching = q.receive('q-dlq', { waitMs: 20 * SECOND });
      await q.release('q', m!.receiptHandle, { error: new Error('bad input') });
      // The clock never moves here: only the dead-letter signal can wake the poller.
      const [dead] = await watching;
      expect(dead?.body).toBe('bad');
      expect(dead?.sourceQueue).toBe('q');
    }));
});
