/**
 * The table store conformance suite: DynamoDB semantics every backend must show through the port
 * (backend.tables), change streams included. How a backend stores items (SQLite columns, sizes
 * counted as JSON bytes) is tested next to each backend.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';
import { ConditionFailedError, NotFoundError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import type { Item, Key, QueryInput, StreamRecord, StreamViewType, TableConfig, TableStore } from '../../src/ports/tables.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** DynamoDB's string order: UTF-8 bytes. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Orders: partition customer (string), sort n (number), stream with both images. */
const orders: TableConfig = {
  name: 'orders',
  partitionKey: { name: 'customer', type: 'string' },
  sortKey: { name: 'n', type: 'number' },
  stream: { viewType: 'NEW_AND_OLD_IMAGES' },
};
/** Events: partition id (number), sort ts (string). */
const events: TableConfig = { name: 'events', partitionKey: { name: 'id', type: 'number' }, sortKey: { name: 'ts', type: 'string' } };
/** Users: partition key only, no stream. */
const users: TableConfig = { name: 'users', partitionKey: { name: 'id', type: 'string' } };

/** Every item of a query, page by page, checking the page limit. */
async function queryAll(tables: TableStore, table: string, input: QueryInput): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let start: Key | undefined;
  let pages = 0;
  do {
    const page = await tables.query(table, { ...input, ...(start ? { exclusiveStartKey: start } : {}) });
    pages++;
    expect(pages, 'query pagination does not end').toBeLessThan(1000);
    if (input.limit) expect(page.items.length).toBeLessThanOrEqual(input.limit);
    items.push(...page.items);
    start = page.lastEvaluatedKey;
  } while (start);
  return { items, pages };
}

/** Reads a consumer's records until none are left, committing as it goes. */
async function drain(tables: TableStore, table: string, consumer: string): Promise<StreamRecord[]> {
  const all: StreamRecord[] = [];
  for (;;) {
    const batch = await tables.readStream(table, consumer, { limit: 50 });
    if (batch.length === 0) return all;
    all.push(...batch);
    await tables.commitStream(table, consumer, batch.at(-1)!.sequence);
  }
}

/** `skips`: case title -> why this backend cannot give it (the case is skipped with the reason). */
export function runTableConformance(name: string, make: MakeBackend, skips?: Skips): void {
  const test = caseFor(skips);
  describe(`table store conformance: ${name}`, () => {
    let h: BackendHarness;
    let tables: TableStore;

    beforeEach(async () => {
      h = await make();
      tables = h.backend.tables;
      for (const c of [orders, events, users]) await tables.declare(c);
    });
    afterEach(async () => {
      await h.close();
    });

    describe('declare and list', () => {
      test('lists declared tables with their keys and stream', async () => {
        const list = await tables.list();
        expect(list.find((t) => t.name === 'orders')).toEqual(orders);
        expect(list.find((t) => t.name === 'users')).toEqual(users);
      });

      test('declaring again is idempotent and can change the stream view type', async () => {
        await tables.put('orders', { customer: 'c', n: 1 });
        await tables.declare(orders);
        await tables.declare({ ...orders, stream: { viewType: 'KEYS_ONLY' } });
        expect((await tables.list()).find((t) => t.name === 'orders')?.stream).toEqual({ viewType: 'KEYS_ONLY' });
        expect(await tables.get('orders', { customer: 'c', n: 1 })).toEqual({ customer: 'c', n: 1 });
      });

      test('refuses to change the keys of a table that holds items', async () => {
        await tables.put('users', { id: 'u1' });
        const err = await rejection(tables.declare({ name: 'users', partitionKey: { name: 'email', type: 'string' } }));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain('users');
        expect(err.message).toContain('email');
      });

      test('rejects an invalid config, naming the table and the field', async () => {
        const bad = await rejection(tables.declare({ name: 'bad', partitionKey: { name: 'id', type: 'boolean' as never } }));
        expect(bad).toBeInstanceOf(ValidationError);
        expect(bad.message).toContain('bad');
        expect(bad.message).toContain('boolean');
        const same = await rejection(tables.declare({ name: 'same', partitionKey: { name: 'id', type: 'string' }, sortKey: { name: 'id', type: 'number' } }));
        expect(same).toBeInstanceOf(ValidationError);
      });

      test('an unknown table is a NotFoundError that says to declare it in baton.config.ts', async () => {
        for (const call of [() => tables.get('nope', { id: 'x' }), () => tables.put('nope', { id: 'x' }), () => tables.query('nope', { partition: 'x' }), () => tables.readStream('nope', 'c')]) {
          const err = await rejection(call());
          expect(err).toBeInstanceOf(NotFoundError);
          expect(err.message).toContain('"nope"');
          expect(err.message).toContain('baton.config.ts');
        }
      });
    });

    describe('put and get', () => {
      test('stores a plain JSON item and returns the old one on replace', async () => {
        const item = { customer: 'ann', n: 1, total: 12.5, tags: ['a', 'b'], address: { city: 'Oslo' }, paid: false, note: null };
        expect(await tables.put('orders', item)).toEqual({});
        expect(await tables.get('orders', { customer: 'ann', n: 1 })).toEqual(item);
        expect(await tables.put('orders', { customer: 'ann', n: 1, total: 20 })).toEqual({ old: item });
        expect(await tables.get('orders', { customer: 'ann', n: 1 })).toEqual({ customer: 'ann', n: 1, total: 20 });
      });

      test('get of a missing item is undefined', async () => {
        expect(await tables.get('orders', { customer: 'nobody', n: 1 })).toBeUndefined();
      });

      test('keys of different types and tables do not mix', async () => {
        await tables.put('events', { id: 1, ts: 'a', v: 'number 1' });
        await tables.put('users', { id: '1', v: 'string 1' });
        expect(await tables.get('events', { id: 1, ts: 'a' })).toMatchObject({ v: 'number 1' });
        expect(await tables.get('users', { id: '1' })).toMatchObject({ v: 'string 1' });
      });

      test('rejects an item whose key is missing or of the wrong type, naming table, attribute, value and type', async () => {
        const wrongType = await rejection(tables.put('orders', { customer: 42, n: 1 }));
        expect(wrongType).toBeInstanceOf(ValidationError);
        expect(wrongType.message).toContain('"orders"');
        expect(wrongType.message).toContain('"customer"');
        expect(wrongType.message).toContain('42');
        expect(wrongType.message).toContain('string');
        const wrongSort = await rejection(tables.put('orders', { customer: 'c', n: '1' }));
        expect(wrongSort).toBeInstanceOf(ValidationError);
        expect(wrongSort.message).toContain('"n"');
        expect(wrongSort.message).toContain('"1"');
        expect(wrongSort.message).toContain('number');
        const missing = await rejection(tables.put('orders', { customer: 'c' }));
        expect(missing).toBeInstanceOf(ValidationError);
        expect(missing.message).toContain('"n"');
        expect(missing.message).toMatch(/missing/);
      });

      test('rejects empty key strings, non-finite key numbers and non-object items', async () => {
        expect(await rejection(tables.put('users', { id: '' }))).toBeInstanceOf(ValidationError);
        expect(await rejection(tables.put('events', { id: Number.NaN, ts: 'a' }))).toBeInstanceOf(ValidationError);
        expect(await rejection(tables.put('events', { id: Infinity, ts: 'a' }))).toBeInstanceOf(ValidationError);
        expect(await rejection(tables.put('users', ['id'] as unknown as Item))).toBeInstanceOf(ValidationError);
      });

      test('rejects a key with attributes that are not key attributes', async () => {
        const err = await rejection(tables.get('users', { id: 'u', name: 'x' }));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain('"name"');
      });

      test('rejects an item over the size limit with TooLargeError, and writes nothing', async () => {
        const err = await rejection(tables.put('users', { id: 'big', blob: 'x'.repeat(defaults.tables.maxItemBytes + 10) }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain('"users"');
        expect(err.message).toContain(String(defaults.tables.maxItemBytes));
        expect(await tables.get('users', { id: 'big' })).toBeUndefined();
        await tables.put('users', { id: 'half', blob: 'x'.repeat(defaults.tables.maxItemBytes / 2) });
        expect((await tables.get('users', { id: 'half' }))?.blob).toHaveLength(defaults.tables.maxItemBytes / 2);
      });
    });

    describe('conditions', () => {
      beforeEach(async () => {
        await tables.put('users', { id: 'u1', status: 'new', n: 1 });
      });

      test('notExists refuses to replace an existing item and keeps it', async () => {
        const err = await rejection(tables.put('users', { id: 'u1', status: 'other' }, { condition: { notExists: true } }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toContain('"users"');
        expect(err.message).toContain('u1');
        expect(err.message).toMatch(/already exists/);
        expect(await tables.get('users', { id: 'u1' })).toEqual({ id: 'u1', status: 'new', n: 1 });
        await tables.put('users', { id: 'u2' }, { condition: { notExists: true } });
        expect(await tables.get('users', { id: 'u2' })).toEqual({ id: 'u2' });
      });

      test('exists refuses to create', async () => {
        const err = await rejection(tables.put('users', { id: 'u9' }, { condition: { exists: true } }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toMatch(/does not exist/);
        expect(await tables.get('users', { id: 'u9' })).toBeUndefined();
        await tables.put('users', { id: 'u1', status: 'seen' }, { condition: { exists: true } });
        expect(await tables.get('users', { id: 'u1' })).toEqual({ id: 'u1', status: 'seen' });
      });

      test('equals checks attribute values (undefined: absent) and says what it found', async () => {
        await tables.put('users', { id: 'u1', status: 'active' }, { condition: { equals: { status: 'new', missing: undefined } } });
        const err = await rejection(tables.put('users', { id: 'u1', status: 'x' }, { condition: { equals: { status: 'new' } } }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toContain('status');
        expect(err.message).toContain('"active"');
        expect(err.message).toContain('"new"');
        const absent = await rejection(tables.put('users', { id: 'u1' }, { condition: { equals: { status: undefined } } }));
        expect(absent).toBeInstanceOf(ConditionFailedError);
        expect(await tables.get('users', { id: 'u1' })).toEqual({ id: 'u1', status: 'active' });
      });

      test('equals compares maps and lists by value', async () => {
        await tables.put('users', { id: 'm', meta: { a: 1, b: [1, 2] } });
        await tables.put('users', { id: 'm', meta: 'replaced' }, { condition: { equals: { meta: { b: [1, 2], a: 1 } } } });
        expect(await rejection(tables.put('users', { id: 'm' }, { condition: { equals: { meta: 'other' } } }))).toBeInstanceOf(ConditionFailedError);
      });

      test('a contradictory condition is a ValidationError', async () => {
        expect(await rejection(tables.put('users', { id: 'u1' }, { condition: { notExists: true, exists: true } }))).toBeInstanceOf(ValidationError);
      });
    });

    describe('update', () => {
      test('sets, adds and removes, returning the new item', async () => {
        await tables.put('users', { id: 'u', a: 1, b: 'x', count: 5 });
        const next = await tables.update('users', { id: 'u' }, { set: { a: 2, c: { deep: true } }, add: { count: 3, fresh: 2 }, remove: ['b'] });
        expect(next).toEqual({ id: 'u', a: 2, c: { deep: true }, count: 8, fresh: 2 });
        expect(await tables.get('users', { id: 'u' })).toEqual(next);
      });

      test('creates an absent item from its key, as UpdateItem does', async () => {
        expect(await tables.update('orders', { customer: 'new', n: 7 }, { add: { visits: 1 }, set: { status: 'open' } })).toEqual({ customer: 'new', n: 7, visits: 1, status: 'open' });
        expect(await tables.update('users', { id: 'bare' }, {})).toEqual({ id: 'bare' });
        expect(await tables.get('users', { id: 'bare' })).toEqual({ id: 'bare' });
      });

      test('applies its condition to the current item', async () => {
        await tables.put('users', { id: 'u', version: 1 });
        await tables.update('users', { id: 'u' }, { set: { version: 2 }, condition: { equals: { version: 1 } } });
        const err = await rejection(tables.update('users', { id: 'u' }, { set: { version: 3 }, condition: { equals: { version: 1 } } }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect((await tables.get('users', { id: 'u' }))?.version).toBe(2);
        expect(await rejection(tables.update('users', { id: 'absent' }, { set: { a: 1 }, condition: { exists: true } }))).toBeInstanceOf(ConditionFailedError);
        expect(await tables.get('users', { id: 'absent' })).toBeUndefined();
      });

      test('cannot change a key attribute', async () => {
        await tables.put('orders', { customer: 'c', n: 1 });
        for (const input of [{ set: { customer: 'd' } }, { add: { n: 1 } }, { remove: ['n'] }]) {
          const err = await rejection(tables.update('orders', { customer: 'c', n: 1 }, input));
          expect(err).toBeInstanceOf(ValidationError);
          expect(err.message).toMatch(/key attribute/);
        }
      });

      test('refuses to add to a non-number and to name an attribute twice, changing nothing', async () => {
        await tables.put('users', { id: 'u', label: 'text' });
        const err = await rejection(tables.update('users', { id: 'u' }, { add: { label: 1 } }));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain('"label"');
        expect(await rejection(tables.update('users', { id: 'u' }, { set: { x: 1 }, remove: ['x'] }))).toBeInstanceOf(ValidationError);
        expect(await tables.get('users', { id: 'u' })).toEqual({ id: 'u', label: 'text' });
      });

      test('rejects an update that makes the item too large', async () => {
        await tables.put('users', { id: 'u' });
        expect(await rejection(tables.update('users', { id: 'u' }, { set: { blob: 'x'.repeat(defaults.tables.maxItemBytes + 1) } }))).toBeInstanceOf(TooLargeError);
        expect(await tables.get('users', { id: 'u' })).toEqual({ id: 'u' });
      });
    });

    describe('delete', () => {
      test('returns the old item; deleting a missing item returns nothing', async () => {
        await tables.put('users', { id: 'u', a: 1 });
        expect(await tables.delete('users', { id: 'u' })).toEqual({ old: { id: 'u', a: 1 } });
        expect(await tables.get('users', { id: 'u' })).toBeUndefined();
        expect(await tables.delete('users', { id: 'u' })).toEqual({});
      });

      test('honours its condition', async () => {
        await tables.put('users', { id: 'u', state: 'busy' });
        const err = await rejection(tables.delete('users', { id: 'u' }, { condition: { equals: { state: 'done' } } }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(await tables.get('users', { id: 'u' })).toBeDefined();
        expect(await rejection(tables.delete('users', { id: 'missing' }, { condition: { exists: true } }))).toBeInstanceOf(ConditionFailedError);
      });
    });

    describe('query', () => {
      const numbers = [100, -10, 3, 0, -2.5, 10, 2, 1e6, 25];
      beforeEach(async () => {
        for (const n of numbers) await tables.put('orders', { customer: 'ann', n });
        await tables.put('orders', { customer: 'bob', n: 5 });
      });
      const ns = (items: Item[]) => items.map((i) => i.n);
      const sorted = [...numbers].sort((a, b) => a - b);

      test('returns one partition in numeric sort-key order, ascending and descending', async () => {
        expect(ns((await tables.query('orders', { partition: 'ann' })).items)).toEqual(sorted);
        expect(ns((await tables.query('orders', { partition: 'ann', ascending: false })).items)).toEqual([...sorted].reverse());
        expect(ns((await tables.query('orders', { partition: 'bob' })).items)).toEqual([5]);
        expect((await tables.query('orders', { partition: 'nobody' })).items).toEqual([]);
      });

      it.each([
        [{ eq: 3 }, [3]],
        [{ lt: 3 }, [-10, -2.5, 0, 2]],
        [{ lte: 3 }, [-10, -2.5, 0, 2, 3]],
        [{ gt: 10 }, [25, 100, 1e6]],
        [{ gte: 10 }, [10, 25, 100, 1e6]],
        [{ between: [-2.5, 10] as [number, number] }, [-2.5, 0, 2, 3, 10]],
      ])('sort condition %j', async (sort, expected) => {
        expect(ns((await tables.query('orders', { partition: 'ann', sort })).items)).toEqual(expected);
        expect(ns((await tables.query('orders', { partition: 'ann', sort, ascending: false })).items)).toEqual([...expected].reverse());
      });

      test('pages with limit and lastEvaluatedKey, ascending and descending, with a condition', async () => {
        const up = await queryAll(tables, 'orders', { partition: 'ann', limit: 2 });
        expect(ns(up.items)).toEqual(sorted);
        expect(up.pages).toBeGreaterThanOrEqual(5);
        const down = await queryAll(tables, 'orders', { partition: 'ann', limit: 4, ascending: false });
        expect(ns(down.items)).toEqual([...sorted].reverse());
        const some = await queryAll(tables, 'orders', { partition: 'ann', limit: 1, sort: { gte: 0 } });
        expect(ns(some.items)).toEqual(sorted.filter((n) => n >= 0));
      });

      test('a page that hits the limit gives the key of its last item', async () => {
        const page = await tables.query('orders', { partition: 'ann', limit: 3 });
        expect(ns(page.items)).toEqual(sorted.slice(0, 3));
        expect(page.lastEvaluatedKey).toEqual({ customer: 'ann', n: sorted[2] });
      });

      test('string sort keys are in UTF-8 byte order, and beginsWith selects a prefix', async () => {
        // U+1F600 sorts before U+FFFD in UTF-16 code units but after it in UTF-8 bytes.
        const keys = ['b', 'a', 'ab', 'B', 'a/2', 'a/10', 'é', '\u{1F600}', '\uFFFD', 'a\u{10FFFF}', 'aa'];
        for (const ts of keys) await tables.put('events', { id: 1, ts });
        const got = (await tables.query('events', { partition: 1 })).items.map((i) => i.ts as string);
        expect(got).toEqual([...keys].sort(byteOrder));
        const prefixed = (await tables.query('events', { partition: 1, sort: { beginsWith: 'a' } })).items.map((i) => i.ts);
        expect(prefixed).toEqual(keys.filter((k) => k.startsWith('a')).sort(byteOrder));
        const slash = (await tables.query('events', { partition: 1, sort: { beginsWith: 'a/' }, ascending: false })).items.map((i) => i.ts);
        expect(slash).toEqual(['a/2', 'a/10']);
        expect((await tables.query('events', { partition: 1, sort: { beginsWith: '\u{1F600}' } })).items.map((i) => i.ts)).toEqual(['\u{1F600}']);
      });

      test('rejects bad query input with ValidationError', async () => {
        const cases: QueryInput[] = [
          { partition: 1 },
          { partition: 'ann', sort: { eq: 'x' } },
          { partition: 'ann', sort: { beginsWith: 'x' } },
          { partition: 'ann', sort: { between: [10, 1] } },
          { partition: 'ann', sort: { lt: 1, gt: 0 } as never },
          { partition: 'ann', limit: 0 },
          { partition: 'ann', exclusiveStartKey: { customer: 'bob', n: 5 } },
        ];
        for (const input of cases) expect(await rejection(tables.query('orders', input)), JSON.stringify(input)).toBeInstanceOf(ValidationError);
        expect(await rejection(tables.query('users', { partition: 'u', sort: { eq: 'x' } }))).toBeInstanceOf(ValidationError);
      });

      test('a table without a sort key queries its one item', async () => {
        await tables.put('users', { id: 'u', a: 1 });
        expect((await tables.query('users', { partition: 'u' })).items).toEqual([{ id: 'u', a: 1 }]);
      });
    });

    describe('scan', () => {
      test('returns every item of the table once, page by page, and nothing of other tables', async () => {
        expect(await tables.scan('orders')).toEqual({ items: [] });
        const all = [];
        for (const customer of ['b', 'a', 'c']) for (const n of [2, 1]) all.push({ customer, n, v: `${customer}${n}` });
        for (const item of all) await tables.put('orders', item);
        await tables.put('events', { id: 1, ts: 'x' });
        const seen: Item[] = [];
        let start: Key | undefined;
        let pages = 0;
        do {
          const page = await tables.scan('orders', { limit: 4, ...(start ? { exclusiveStartKey: start } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items);
          start = page.lastEvaluatedKey;
          expect(++pages).toBeLessThan(10);
        } while (start);
        expect(pages).toBe(2);
        const key = (i: Item) => `${String(i.customer)}${String(i.n)}`;
        expect(seen.map(key).sort()).toEqual(all.map(key).sort());
        expect((await tables.scan('orders')).items).toHaveLength(6);
      });

      test('rejects a bad limit and an unknown table', async () => {
        expect(await rejection(tables.scan('orders', { limit: 0 }))).toBeInstanceOf(ValidationError);
        expect(await rejection(tables.scan('nope'))).toBeInstanceOf(NotFoundError);
      });
    });

    describe('batchWrite', () => {
      test('applies each request on its own: a failing condition or bad item fails only itself', async () => {
        await tables.put('users', { id: 'taken' });
        await tables.put('users', { id: 'gone' });
        const results = await tables.batchWrite('users', [
          { put: { id: 'a' } },
          { put: { id: 'taken', v: 2 }, condition: { notExists: true } },
          { put: { id: 42 } },
          { delete: { id: 'gone' } },
          { put: { id: 'b' } },
        ]);
        expect(results.map((r) => [r.index, r.ok])).toEqual([
          [0, true],
          [1, false],
          [2, false],
          [3, true],
          [4, true],
        ]);
        expect(results[1]!.error).toMatchObject({ code: 'CONDITION_FAILED' });
        expect(results[1]!.error?.message).toContain('taken');
        expect(results[2]!.error).toMatchObject({ code: 'INVALID_INPUT' });
        expect(await tables.get('users', { id: 'a' })).toEqual({ id: 'a' });
        expect(await tables.get('users', { id: 'b' })).toEqual({ id: 'b' });
        expect(await tables.get('users', { id: 'taken' })).toEqual({ id: 'taken' });
        expect(await tables.get('users', { id: 'gone' })).toBeUndefined();
      });

      test(`accepts ${defaults.tables.maxBatchWrite} requests and refuses more`, async () => {
        const many = (n: number) => Array.from({ length: n }, (_, i) => ({ put: { id: `k${i}` } }));
        expect((await tables.batchWrite('users', many(defaults.tables.maxBatchWrite))).every((r) => r.ok)).toBe(true);
        const err = await rejection(tables.batchWrite('users', many(defaults.tables.maxBatchWrite + 1)));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain(String(defaults.tables.maxBatchWrite));
        expect(await tables.get('users', { id: `k${defaults.tables.maxBatchWrite}` })).toBeUndefined();
      });

      test('takes updates: each applied on its own, with its condition, in one batch', async () => {
        await tables.put('users', { id: 'a', n: 1, status: 'new' });
        await tables.put('users', { id: 'b', n: 1, status: 'done' });
        const results = await tables.batchWrite('users', [
          { update: { id: 'a' }, set: { status: 'done' }, add: { n: 1 }, condition: { equals: { status: 'new' } } },
          { update: { id: 'b' }, set: { status: 'done' }, add: { n: 1 }, condition: { equals: { status: 'new' } } },
          { update: { id: 'c' }, add: { n: 5 } },
          { update: { id: 'a' }, add: { status: 1 } },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
        expect(results[1]!.error).toMatchObject({ code: 'CONDITION_FAILED' });
        expect(results[3]!.error?.message).toContain('status');
        expect(await tables.get('users', { id: 'a' })).toEqual({ id: 'a', n: 2, status: 'done' });
        expect(await tables.get('users', { id: 'b' })).toEqual({ id: 'b', n: 1, status: 'done' });
        expect(await tables.get('users', { id: 'c' })).toEqual({ id: 'c', n: 5 });
      });

      test('refuses a request that is not exactly one of put, delete and update, and only it', async () => {
        const results = await tables.batchWrite('users', [{ put: { id: 'x' }, delete: { id: 'x' } } as never, {} as never, { put: { id: 'y' } }]);
        expect(results.map((r) => r.ok)).toEqual([false, false, true]);
        expect(results[0]!.error?.message).toContain('put and delete');
        expect(results[1]!.error?.message).toContain('none of them');
        expect(await tables.get('users', { id: 'x' })).toBeUndefined();
      });

      test('batches sent at once (Promise.all) each get their own results', async () => {
        const [a, b] = await Promise.all([
          tables.batchWrite('users', [{ put: { id: 'p1' } }, { put: { id: 'p2' }, condition: { exists: true } }]),
          tables.batchWrite('users', [{ put: { id: 'p3' } }]),
          tables.batchWrite('users', []),
        ]);
        expect(a!.map((r) => [r.index, r.ok])).toEqual([
          [0, true],
          [1, false],
        ]);
        expect(b!.map((r) => [r.index, r.ok])).toEqual([[0, true]]);
        expect(await tables.get('users', { id: 'p1' })).toEqual({ id: 'p1' });
        expect(await tables.get('users', { id: 'p2' })).toBeUndefined();
        expect(await tables.get('users', { id: 'p3' })).toEqual({ id: 'p3' });
      });

      test('an empty batch does nothing', async () => {
        expect(await tables.batchWrite('users', [])).toEqual([]);
      });
    });

    describe('stream', () => {
      test('records INSERT, MODIFY and REMOVE with keys and both images, in order', async () => {
        await tables.put('orders', { customer: 'c', n: 1, v: 1 });
        await tables.update('orders', { customer: 'c', n: 1 }, { set: { v: 2 } });
        await tables.delete('orders', { customer: 'c', n: 1 });
        const records = await tables.readStream('orders', 'reader');
        expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
        for (const r of records) {
          expect(r.table).toBe('orders');
          expect(r.keys).toEqual({ customer: 'c', n: 1 });
        }
        const [ins, mod, rem] = records;
        expect(ins!.oldImage).toBeUndefined();
        expect(ins!.newImage).toEqual({ customer: 'c', n: 1, v: 1 });
        expect(mod!.oldImage).toEqual({ customer: 'c', n: 1, v: 1 });
        expect(mod!.newImage).toEqual({ customer: 'c', n: 1, v: 2 });
        expect(rem!.oldImage).toEqual({ customer: 'c', n: 1, v: 2 });
        expect(rem!.newImage).toBeUndefined();
        expect(ins!.sequence).toBeLessThan(mod!.sequence);
        expect(mod!.sequence).toBeLessThan(rem!.sequence);
        // Images behave as plain properties (however a backend builds them): copied, replaced, kept per record.
        expect({ ...mod! }).toEqual({ sequence: mod!.sequence, eventName: 'MODIFY', table: 'orders', keys: { customer: 'c', n: 1 }, oldImage: { customer: 'c', n: 1, v: 1 }, newImage: { customer: 'c', n: 1, v: 2 }, createdAt: mod!.createdAt });
        mod!.newImage = { replaced: true };
        expect([mod!.newImage, ins!.newImage]).toEqual([{ replaced: true }, { customer: 'c', n: 1, v: 1 }]);
      });

      test('stamps each record with the clock time of its change', async () => {
        await tables.put('orders', { customer: 'c', n: 1 });
        await h.clock.advance(5000);
        await tables.put('orders', { customer: 'c', n: 2 });
        const records = await tables.readStream('orders', 'clock');
        expect(records.map((r) => r.createdAt)).toEqual([h.clock.now() - 5000, h.clock.now()]);
      });

      it.each<[StreamViewType, boolean, boolean]>([
        ['KEYS_ONLY', false, false],
        ['NEW_IMAGE', false, true],
        ['OLD_IMAGE', true, false],
        ['NEW_AND_OLD_IMAGES', true, true],
      ])('view type %s keeps old image: %s, new image: %s', async (viewType, old, fresh) => {
        const name = `view-${viewType.toLowerCase()}`;
        await tables.declare({ name, partitionKey: { name: 'id', type: 'string' }, stream: { viewType } });
        await tables.put(name, { id: 'x', v: 1 });
        await tables.put(name, { id: 'x', v: 2 });
        const [, modify] = await tables.readStream(name, 'c');
        expect(modify!.keys).toEqual({ id: 'x' });
        expect(modify!.oldImage).toEqual(old ? { id: 'x', v: 1 } : undefined);
        expect(modify!.newImage).toEqual(fresh ? { id: 'x', v: 2 } : undefined);
      });

      test('a write that changes nothing records nothing (as DynamoDB Streams)', async () => {
        await tables.put('orders', { customer: 'c', n: 1, a: 1, b: 2 });
        await tables.put('orders', { customer: 'c', n: 1, a: 1, b: 2 });
        await tables.put('orders', { n: 1, b: 2, customer: 'c', a: 1 });
        await tables.update('orders', { customer: 'c', n: 1 }, { set: { a: 1 } });
        await tables.delete('orders', { customer: 'c', n: 99 });
        expect((await tables.readStream('orders', 'c')).map((r) => r.eventName)).toEqual(['INSERT']);
      });

      test('records each successful batch entry, and nothing for a failed one', async () => {
        await tables.put('orders', { customer: 'c', n: 1 });
        const results = await tables.batchWrite('orders', [
          { put: { customer: 'c', n: 2 } },
          { put: { customer: 'c', n: 1, x: 1 }, condition: { notExists: true } },
          { delete: { customer: 'c', n: 1 } },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false, true]);
        const records = await tables.readStream('orders', 'c');
        expect(records.map((r) => [r.eventName, r.keys.n])).toEqual([
          ['INSERT', 1],
          ['INSERT', 2],
          ['REMOVE', 1],
        ]);
      });

      test('keeps per-key order under interleaved writes to many keys', async () => {
        const expected = new Map<string, number[]>();
        for (let round = 1; round <= 5; round++) {
          for (const k of ['a', 'b', 'c', 'd']) {
            await tables.put('orders', { customer: k, n: 0, round });
            expected.set(k, [...(expected.get(k) ?? []), round]);
          }
          await tables.batchWrite('orders', [{ put: { customer: 'e', n: 0, round } }, { put: { customer: 'a', n: 1, round } }]);
        }
        const records = await drain(tables, 'orders', 'order-check');
        const seqs = records.map((r) => r.sequence);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(seqs.length);
        for (const [k, rounds] of expected) {
          expect(records.filter((r) => r.keys.customer === k && r.keys.n === 0).map((r) => r.newImage?.round)).toEqual(rounds);
        }
      });

      test('each consumer reads after its own committed position; commits never go backwards', async () => {
        for (let n = 1; n <= 5; n++) await tables.put('orders', { customer: 'c', n });
        const first = await tables.readStream('orders', 'one', { limit: 2 });
        expect(first.map((r) => r.keys.n)).toEqual([1, 2]);
        expect((await tables.readStream('orders', 'one', { limit: 2 })).map((r) => r.keys.n)).toEqual([1, 2]);
        await tables.commitStream('orders', 'one', first[1]!.sequence);
        expect((await tables.readStream('orders', 'one')).map((r) => r.keys.n)).toEqual([3, 4, 5]);
        expect((await tables.readStream('orders', 'two')).map((r) => r.keys.n)).toEqual([1, 2, 3, 4, 5]);
        await tables.commitStream('orders', 'one', first[0]!.sequence);
        expect((await tables.readStream('orders', 'one')).map((r) => r.keys.n)).toEqual([3, 4, 5]);
        const all = await tables.readStream('orders', 'two');
        await tables.commitStream('orders', 'one', all.at(-1)!.sequence);
        expect(await tables.readStream('orders', 'one')).toEqual([]);
        await tables.put('orders', { customer: 'c', n: 6 });
        expect((await tables.readStream('orders', 'one')).map((r) => r.keys.n)).toEqual([6]);
      });

      test('reads on past uncommitted records with after, never before the committed position', async () => {
        for (let n = 1; n <= 5; n++) await tables.put('orders', { customer: 'c', n });
        const first = await tables.readStream('orders', 'pager', { limit: 2 });
        const next = await tables.readStream('orders', 'pager', { limit: 2, after: first[1]!.sequence });
        expect(next.map((r) => r.keys.n)).toEqual([3, 4]);
        await tables.commitStream('orders', 'pager', next[1]!.sequence);
        expect((await tables.readStream('orders', 'pager', { after: first[0]!.sequence })).map((r) => r.keys.n)).toEqual([5]);
        expect(await rejection(tables.readStream('orders', 'pager', { after: -1 }))).toBeInstanceOf(ValidationError);
      });

      test('with eventNames reads past the other kinds, counting them in limit, and says where it stopped', async () => {
        // INSERT 1, MODIFY 1, INSERT 2, MODIFY 2, INSERT 3, REMOVE 1, MODIFY 3
        for (let n = 1; n <= 3; n++) {
          await tables.put('orders', { customer: 'c', n, v: 1 });
          if (n < 3) await tables.update('orders', { customer: 'c', n }, { set: { v: 2 } });
        }
        await tables.delete('orders', { customer: 'c', n: 1 });
        await tables.update('orders', { customer: 'c', n: 3 }, { set: { v: 2 } });
        const all = await tables.readStream('orders', 'kinds');
        expect(all.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'INSERT', 'MODIFY', 'INSERT', 'REMOVE', 'MODIFY']);
        expect(all.last).toBeUndefined(); // only with eventNames

        const first = await tables.readStream('orders', 'kinds', { limit: 4, eventNames: ['INSERT'] });
        expect(first.map((r) => [r.eventName, r.keys.n, r.newImage])).toEqual([
          ['INSERT', 1, { customer: 'c', n: 1, v: 1 }],
          ['INSERT', 2, { customer: 'c', n: 2, v: 1 }],
        ]);
        expect([first.last, first.skipped]).toEqual([all[3]!.sequence, 2]);
        expect(first).toEqual(all.filter((r, i) => i < 4 && r.eventName === 'INSERT')); // last and skipped do not show

        const rest = await tables.readStream('orders', 'kinds', { after: first.last!, eventNames: ['REMOVE', 'MODIFY'] });
        expect(rest.map((r) => [r.eventName, r.keys.n])).toEqual([
          ['REMOVE', 1],
          ['MODIFY', 3],
        ]);
        expect([rest.last, rest.skipped]).toEqual([all[6]!.sequence, 1]);

        // All skipped: nothing returned, and still how far the read went (a reader commits it and moves on).
        const none = await tables.readStream('orders', 'kinds', { after: all[4]!.sequence, eventNames: ['INSERT'] });
        expect([none.length, none.last, none.skipped]).toEqual([0, all[6]!.sequence, 2]);
        await tables.commitStream('orders', 'kinds', none.last!);
        const after = await tables.readStream('orders', 'kinds', { eventNames: ['INSERT'] });
        expect([after.length, after.last, after.skipped]).toEqual([0, undefined, 0]);

        for (const eventNames of [[], ['UPSERT'], 'INSERT']) {
          expect(await rejection(tables.readStream('orders', 'kinds', { eventNames: eventNames as never }))).toBeInstanceOf(ValidationError);
        }
      });

      test('refuses to commit beyond the last record', async () => {
        await tables.put('orders', { customer: 'c', n: 1 });
        const [r] = await tables.readStream('orders', 'c');
        const err = await rejection(tables.commitStream('orders', 'c', r!.sequence + 1000));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain(String(r!.sequence + 1000));
        expect((await tables.readStream('orders', 'c')).map((x) => x.sequence)).toEqual([r!.sequence]);
      });

      test(`drops records older than ${defaults.tables.streamRetentionMs} ms`, async () => {
        await tables.put('orders', { customer: 'old', n: 1 });
        await h.clock.advance(defaults.tables.streamRetentionMs - 1000);
        await tables.put('orders', { customer: 'young', n: 1 });
        await h.clock.advance(2000);
        expect((await tables.readStream('orders', 'late')).map((r) => r.keys.customer)).toEqual(['young']);
        await h.clock.advance(defaults.tables.streamRetentionMs);
        expect(await tables.readStream('orders', 'later')).toEqual([]);
      });

      test('reading the stream of a table without one is a ValidationError saying how to add it', async () => {
        const err = await rejection(tables.readStream('users', 'c'));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain('"users"');
        expect(err.message).toMatch(/stream/);
      });
    });

    it('keeps items and stream positions across a reopen', async (ctx) => {
      if (!h.reopen) return ctx.skip('this backend cannot be closed and reopened on the same state');
      await tables.put('orders', { customer: 'c', n: 1 });
      await tables.put('orders', { customer: 'c', n: 2 });
      const [first] = await tables.readStream('orders', 'durable');
      await tables.commitStream('orders', 'durable', first!.sequence);
      const reopened = (await h.reopen()).tables;
      expect(await reopened.get('orders', { customer: 'c', n: 2 })).toEqual({ customer: 'c', n: 2 });
      expect((await reopened.readStream('orders', 'durable')).map((r) => r.keys.n)).toEqual([2]);
    });
  });
}
