/**
 * Local-only table behaviour: typed key columns in SQLite, item size counted as JSON bytes, stream
 * trimming and durable consumer positions across reopen, and conditions and stream order across two
 * connections on one state directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocal, type LocalBackend } from '../../src/backends/local/index.ts';
import { defaults } from '../../src/core/defaults.ts';
import { ConditionFailedError, TooLargeError } from '../../src/core/errors.ts';
import type { ItemWriter } from '../../src/backends/local/tables/items.ts';
import type { Item, StreamRecord, TableConfig } from '../../src/ports/tables.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';

const orders: TableConfig = {
  name: 'orders',
  partitionKey: { name: 'customer', type: 'string' },
  sortKey: { name: 'n', type: 'number' },
  stream: { viewType: 'NEW_AND_OLD_IMAGES' },
};

describe('local tables (SQLite)', () => {
  let dir: string;
  let clock: FakeClock;
  const opened: LocalBackend[] = [];
  const open = async () => {
    const b = openLocal({ dir, clock, paramsKey: Buffer.alloc(32, 9) });
    opened.push(b);
    await b.tables.declare(orders);
    return b;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-tables-'));
    clock = new FakeClock();
  });
  afterEach(async () => {
    for (const b of opened.splice(0)) await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps key values in typed columns: TEXT for strings, numeric for numbers', async () => {
    const b = await open();
    await b.tables.put('orders', { customer: '10', n: 2.5 });
    await b.tables.put('orders', { customer: '9', n: 10 });
    const rows = b.tablesContext.db.prepare('SELECT typeof(pk) AS pk, typeof(sk) AS sk FROM table_items').all() as Array<{ pk: string; sk: string }>;
    expect(rows.map((r) => r.pk)).toEqual(['text', 'text']);
    expect(rows.every((r) => r.sk === 'real' || r.sk === 'integer')).toBe(true);
  });

  it(`counts item size as JSON bytes: exactly ${defaults.tables.maxItemBytes} is accepted, one more is refused`, async () => {
    const b = await open();
    const base = JSON.stringify({ customer: 'c', n: 1, pad: '' }).length;
    const pad = 'x'.repeat(defaults.tables.maxItemBytes - base);
    await b.tables.put('orders', { customer: 'c', n: 1, pad });
    const err = await b.tables.put('orders', { customer: 'c', n: 2, pad: `${pad}y` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as Error).message).toContain(`${defaults.tables.maxItemBytes + 1} bytes`);
  });

  it("stream records' keys and images, parsed on use, behave as plain properties when set", async () => {
    const b = await open();
    await b.tables.put('orders', { customer: 'c', n: 1, v: 'a' });
    await b.tables.put('orders', { customer: 'c', n: 1, v: 'b' });
    const [, modify] = await b.tables.readStream('orders', 'x');
    // A child made with Object.create sets its own value; its parent keeps what was stored.
    const child = Object.create(modify!) as StreamRecord;
    child.keys = { customer: 'other', n: 9 };
    child.newImage = { customer: 'other', n: 9, v: 'z' };
    expect(child.keys).toEqual({ customer: 'other', n: 9 });
    expect(modify!.keys).toEqual({ customer: 'c', n: 1 });
    expect(modify!.newImage).toEqual({ customer: 'c', n: 1, v: 'b' });
    expect(modify!.oldImage).toEqual({ customer: 'c', n: 1, v: 'a' });
    // Set on the record itself: read back, and what JSON and a spread see.
    modify!.oldImage = { customer: 'c', n: 1, v: 'set' };
    expect(modify!.oldImage).toEqual({ customer: 'c', n: 1, v: 'set' });
    expect(JSON.parse(JSON.stringify(modify)).oldImage).toEqual({ customer: 'c', n: 1, v: 'set' });
    expect({ ...modify! }.keys).toEqual({ customer: 'c', n: 1 });
    // A frozen record refuses a write, as any frozen object does.
    const frozen = Object.freeze((await b.tables.readStream('orders', 'y'))[0]!);
    expect(() => {
      (frozen as { keys: unknown }).keys = { customer: 'x', n: 0 };
    }).toThrow(TypeError);
    expect(frozen.keys).toEqual({ customer: 'c', n: 1 });
  });

  it('consumer positions survive a reopen, each on its own', async () => {
    let b = await open();
    for (let n = 1; n <= 4; n++) await b.tables.put('orders', { customer: 'c', n });
    const records = await b.tables.readStream('orders', 'a');
    await b.tables.commitStream('orders', 'a', records[2]!.sequence);
    await b.tables.commitStream('orders', 'b', records[0]!.sequence);
    await b.close();
    b = await open();
    expect((await b.tables.readStream('orders', 'a')).map((r) => r.keys.n)).toEqual([4]);
    expect((await b.tables.readStream('orders', 'b')).map((r) => r.keys.n)).toEqual([2, 3, 4]);
  });

  it('trims expired records from SQLite but keeps the newest, so sequences never restart', async () => {
    const b = await open();
    for (let n = 1; n <= 5; n++) await b.tables.put('orders', { customer: 'c', n });
    const before = await b.tables.readStream('orders', 'x');
    await clock.advance(defaults.tables.streamRetentionMs + defaults.tables.streamTrimIntervalMs);
    expect(await b.tables.readStream('orders', 'x')).toEqual([]);
    const count = () => b.tablesContext.db.prepare('SELECT count(*) FROM table_stream').pluck().get();
    expect(count()).toBe(1);
    await b.tables.put('orders', { customer: 'c', n: 6 });
    const [next] = await b.tables.readStream('orders', 'x');
    expect(next!.sequence).toBe(before.at(-1)!.sequence + 1);
    await b.tables.commitStream('orders', 'x', next!.sequence);
  });

  it('trims on writes too, so a stream nobody reads does not grow without bound', async () => {
    const b = await open();
    for (let n = 1; n <= 50; n++) await b.tables.put('orders', { customer: 'c', n });
    await clock.advance(defaults.tables.streamRetentionMs + defaults.tables.streamTrimIntervalMs);
    await b.tables.put('orders', { customer: 'c', n: 51 });
    expect(b.tablesContext.db.prepare('SELECT count(*) FROM table_stream').pluck().get()).toBeLessThanOrEqual(2);
  });

  describe('two connections on one directory', () => {
    it('a notExists put from both: exactly one wins', async () => {
      const a = await open();
      const b = await open();
      const results = await Promise.allSettled([
        a.tables.put('orders', { customer: 'c', n: 1, by: 'a' }, { condition: { notExists: true } }),
        b.tables.put('orders', { customer: 'c', n: 1, by: 'b' }, { condition: { notExists: true } }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConditionFailedError);
    });

    it('see one stream: per-key order and increasing sequences across writers', async () => {
      const a = await open();
      const b = await open();
      for (let v = 1; v <= 10; v++) {
        await (v % 2 ? a : b).tables.update('orders', { customer: 'k', n: 1 }, { set: { v } });
        await (v % 2 ? b : a).tables.put('orders', { customer: 'other', n: v });
      }
      const records = await a.tables.readStream('orders', 'reader');
      const seqs = records.map((r) => r.sequence);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(records.filter((r) => r.keys.customer === 'k').map((r) => r.newImage?.v)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await b.tables.commitStream('orders', 'reader', seqs[4]!);
      expect((await a.tables.readStream('orders', 'reader'))[0]!.sequence).toBe(seqs[5]);
    });

    it('a table declared on one connection is usable from the other', async () => {
      const a = await open();
      const b = await open();
      await a.tables.declare({ name: 'late', partitionKey: { name: 'id', type: 'string' } });
      await b.tables.put('late', { id: 'x' });
      expect(await a.tables.get('late', { id: 'x' })).toEqual({ id: 'x' });
    });
  });

  // A batch's updates are worked out before the write lock (items.ts ahead) and written only if the
  // item is still the text they were worked out on: a batch earlier in the same group commit changes
  // the item in between, so these take the other path.
  describe('a batch update whose item changed after it was worked out', () => {
    const key = { customer: 'c', n: 1 };

    it('applies to the item as it is in the transaction, and streams that as the old image', async () => {
      const b = await open();
      await b.tables.put('orders', { ...key, v: 1, stage: 'loaded' });
      const [put, update] = await Promise.all([
        b.tables.batchWrite('orders', [{ put: { ...key, v: 5, stage: 'loaded' } }]),
        b.tables.batchWrite('orders', [{ update: key, add: { v: 1 }, set: { stage: 'processed' }, condition: { equals: { stage: 'loaded' } } }]),
      ]);
      expect([put, update]).toEqual([[{ index: 0, ok: true }], [{ index: 0, ok: true }]]);
      expect(await b.tables.get('orders', key)).toEqual({ ...key, v: 6, stage: 'processed' });
      const last = (await b.tables.readStream('orders', 'r')).at(-1)!;
      expect([last.eventName, last.oldImage, last.newImage]).toEqual(['MODIFY', { ...key, v: 5, stage: 'loaded' }, { ...key, v: 6, stage: 'processed' }]);
    });

    it('fails on a condition the item no longer meets, writing nothing', async () => {
      const b = await open();
      await b.tables.put('orders', { ...key, v: 1, stage: 'loaded' });
      const [, update] = await Promise.all([
        b.tables.batchWrite('orders', [{ put: { ...key, v: 1, stage: 'processed' } }]),
        b.tables.batchWrite('orders', [{ update: key, add: { v: 1 }, condition: { equals: { stage: 'loaded' } } }]),
      ]);
      expect(update[0]).toMatchObject({ index: 0, ok: false, error: { code: 'CONDITION_FAILED' } });
      expect(await b.tables.get('orders', key)).toEqual({ ...key, v: 1, stage: 'processed' });
      expect((await b.tables.readStream('orders', 'r')).map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    });

    it('succeeds on an item that was absent when worked out and is there in the transaction', async () => {
      const b = await open();
      const [, update] = await Promise.all([
        b.tables.batchWrite('orders', [{ put: { ...key, v: 1 } }]),
        b.tables.batchWrite('orders', [{ update: key, add: { v: 1 }, condition: { exists: true } }]),
      ]);
      expect(update).toEqual([{ index: 0, ok: true }]);
      expect(await b.tables.get('orders', key)).toEqual({ ...key, v: 2 });
    });
  });

  it(`caps a stream read at ${defaults.tables.maxStreamReadLimit} records`, async () => {
    const b = await open();
    const requests = Array.from({ length: defaults.tables.maxBatchWrite }, (_, i) => ({ put: { customer: 'c', n: i } }));
    for (let i = 0; i < Math.ceil((defaults.tables.maxStreamReadLimit + 10) / requests.length); i++) {
      await b.tables.batchWrite('orders', requests.map((r) => ({ put: { ...r.put, n: r.put.n + i * requests.length } })));
    }
    expect(await b.tables.readStream('orders', 'c', { limit: 5000 })).toHaveLength(defaults.tables.maxStreamReadLimit);
    expect(await b.tables.readStream('orders', 'c')).toHaveLength(defaults.tables.streamReadLimit);
  });

  describe('a batch update whose item another connection writes after it was worked out', () => {
    // A batch's updates are worked out before the write lock (items.ts ahead, in a read transaction of
    // their own) and written only if the item is still the text they were worked out on. Here a SECOND
    // connection on the same state directory (as two engines share one state) writes the item after
    // that read transaction and before the batch's write transaction: the test replaces the first
    // connection's ItemWriter.readAhead with one that runs the original, then the other connection's
    // writes. The batch must apply to the item as it is in its transaction, never write what it worked
    // out on the item as it was.
    const key = { customer: 'c', n: 1 };

    /** Runs `between` (once) after `a`'s next read ahead, before its batch's write transaction. */
    const interleave = (a: LocalBackend, between: () => Promise<unknown>[]) => {
      const items = (a.tables as unknown as { items: ItemWriter }).items;
      const original = items.readAhead;
      const writes: Promise<unknown>[] = [];
      let calls = 0;
      (items as { readAhead: ItemWriter['readAhead'] }).readAhead = (work) => {
        original(work);
        calls++;
        // The other store's put/delete write synchronously (their promise only carries the result).
        if (calls === 1) writes.push(...between());
      };
      return async () => {
        await Promise.all(writes);
        return calls;
      };
    };

    const stream = async (b: LocalBackend) => {
      const records = await b.tables.readStream('orders', 'r');
      const seqs = records.map((r) => r.sequence);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      return records.map((r: StreamRecord) => [r.eventName, r.oldImage?.v, r.newImage?.v]);
    };

    it('item changed in between: the update applies to the new text and streams it as the old image', async () => {
      const a = await open();
      const b = await open();
      await a.tables.put('orders', { ...key, v: 1 });
      const done = interleave(a, () => [b.tables.put('orders', { ...key, v: 5 })]);
      expect(await a.tables.batchWrite('orders', [{ update: key, add: { v: 1 } }])).toEqual([{ index: 0, ok: true }]);
      expect(await done()).toBe(1);
      expect(await a.tables.get('orders', key)).toEqual({ ...key, v: 6 });
      expect(await stream(b)).toEqual([
        ['INSERT', undefined, 1],
        ['MODIFY', 1, 5],
        ['MODIFY', 5, 6],
      ]);
    });

    it('deleted and put back with the same text: the update worked out ahead is right and is written', async () => {
      const a = await open();
      const b = await open();
      await a.tables.put('orders', { ...key, v: 1 });
      const done = interleave(a, () => [b.tables.delete('orders', key), b.tables.put('orders', { ...key, v: 1 })]);
      expect(await a.tables.batchWrite('orders', [{ update: key, add: { v: 1 } }])).toEqual([{ index: 0, ok: true }]);
      expect(await done()).toBe(1);
      expect(await a.tables.get('orders', key)).toEqual({ ...key, v: 2 });
      expect(await stream(b)).toEqual([
        ['INSERT', undefined, 1],
        ['REMOVE', 1, undefined],
        ['INSERT', undefined, 1],
        ['MODIFY', 1, 2],
      ]);
    });

    it('deleted in between: the update falls back and creates the item', async () => {
      const a = await open();
      const b = await open();
      await a.tables.put('orders', { ...key, v: 1 });
      const done = interleave(a, () => [b.tables.delete('orders', key)]);
      expect(await a.tables.batchWrite('orders', [{ update: key, add: { v: 1 } }])).toEqual([{ index: 0, ok: true }]);
      expect(await done()).toBe(1);
      expect(await a.tables.get('orders', key)).toEqual({ ...key, v: 1 });
      expect(await stream(b)).toEqual([
        ['INSERT', undefined, 1],
        ['REMOVE', 1, undefined],
        ['INSERT', undefined, 1],
      ]);
    });

    it('changed in between so a condition no longer holds: fails and writes nothing', async () => {
      const a = await open();
      const b = await open();
      await a.tables.put('orders', { ...key, v: 1, stage: 'loaded' });
      const done = interleave(a, () => [b.tables.put('orders', { ...key, v: 1, stage: 'processed' })]);
      const [result] = await a.tables.batchWrite('orders', [{ update: key, add: { v: 1 }, condition: { equals: { stage: 'loaded' } } }]);
      expect(result).toMatchObject({ index: 0, ok: false, error: { code: 'CONDITION_FAILED' } });
      expect(await done()).toBe(1);
      expect(await a.tables.get('orders', key)).toEqual({ ...key, v: 1, stage: 'processed' });
      expect(await stream(b)).toEqual([
        ['INSERT', undefined, 1],
        ['MODIFY', 1, 1],
      ]);
    });

    it('two conditional updates of one key in one batch: both worked out on the same text, the second fails', async () => {
      const a = await open();
      const b = await open();
      await a.tables.put('orders', { ...key, v: 1, stage: 'loaded' });
      const condition = { equals: { stage: 'loaded' } };
      const results = await a.tables.batchWrite('orders', [
        { update: key, set: { stage: 'processed' }, condition },
        { update: key, add: { v: 1 }, condition },
      ]);
      expect(results[0]).toEqual({ index: 0, ok: true });
      expect(results[1]).toMatchObject({ index: 1, ok: false, error: { code: 'CONDITION_FAILED' } });
      expect(await b.tables.get('orders', key)).toEqual({ ...key, v: 1, stage: 'processed' } satisfies Item);
      const records = await b.tables.readStream('orders', 'r');
      expect(records.map((r) => [r.eventName, r.oldImage?.stage, r.newImage?.stage])).toEqual([
        ['INSERT', undefined, 'loaded'],
        ['MODIFY', 'loaded', 'processed'],
      ]);
    });
  });
});
