/**
 * A batch's updates are worked out before the write lock (items.ts ahead, in a read transaction of
 * their own) and written only if the item is still the text they were worked out on. Here a SECOND
 * connection on the same state directory (as two engines share one state) writes the item after
 * that read transaction and before the batch's write transaction: the test replaces the first
 * connection's ItemWriter.readAhead with one that runs the original, then the other connection's
 * writes. The batch must apply to the item as it is in its transaction, never write what it worked
 * out on the item as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocal, type LocalBackend } from '../../src/backends/local/index.ts';
import type { ItemWriter } from '../../src/backends/local/tables/items.ts';
import type { Item, StreamRecord, TableConfig } from '../../src/ports/tables.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';

const orders: TableConfig = {
  name: 'orders',
  partitionKey: { name: 'customer', type: 'string' },
  sortKey: { name: 'n', type: 'number' },
  stream: { viewType: 'NEW_AND_OLD_IMAGES' },
};
const key = { customer: 'c', n: 1 };

describe('a batch update whose item another connection writes after it was worked out', () => {
  let dir: string;
  let clock: FakeClock;
  const opened: LocalBackend[] = [];
  const open = async () => {
    const b = openLocal({ dir, clock, paramsKey: Buffer.alloc(32, 9) });
    opened.push(b);
    await b.tables.declare(orders);
    return b;
  };

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

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-tables-ahead-'));
    clock = new FakeClock();
  });
  afterEach(async () => {
    for (const b of opened.splice(0)) await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
