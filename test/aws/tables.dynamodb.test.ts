/**
 * The table store conformance suite against the aws backend on DynamoDB Local (DynamoDB and
 * DynamoDB Streams on 127.0.0.1), and what only the aws store does: batch writes as transactions
 * of up to 100 actions (counted in requests), stream positions that survive a reopen.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';
import { NotFoundError } from '../../src/core/errors.ts';
import type { TableConfig, WriteRequest } from '../../src/ports/tables.ts';
import { lineage } from '../../src/backends/aws/tables/stream.ts';
import { runTableConformance } from '../conformance/tables.ts';
import { dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const skipReason = dynamoSkipReason();

describe.skipIf(skipReason !== undefined)(`aws tables on DynamoDB Local${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  runTableConformance('aws (DynamoDB Local)', () => makeAwsBackend(), {
    'stamps each record with the clock time of its change': "DynamoDB stamps a record with its own clock (ApproximateCreationDateTime, to the second), not Baton's",
    [`drops records older than ${defaults.tables.streamRetentionMs} ms`]: 'DynamoDB Streams keeps records 24 h by its own clock, which a fake clock cannot move',
  });

  describe('aws only', () => {
    let h: AwsHarness;
    let requests: string[];
    const loads: TableConfig = { name: 'loads', partitionKey: { name: 'id', type: 'string' }, stream: { viewType: 'NEW_AND_OLD_IMAGES' } };

    beforeEach(async () => {
      requests = [];
      h = makeAwsBackend({ onRequest: (service, command) => requests.push(`${service}:${command}`) });
      await h.backend.tables.declare(loads);
    });
    afterEach(async () => {
      await h.close();
    });

    const chunked = (rows: WriteRequest[]) => Array.from({ length: Math.ceil(rows.length / 25) }, (_, i) => rows.slice(i * 25, i * 25 + 25));

    it('250 conditional puts where 10 exist: 240 ok and 10 ConditionFailedError, in a few transactions', async () => {
      const tables = h.backend.tables;
      const existing = Array.from({ length: 10 }, (_, i) => `row-${i * 25 + 3}`);
      await Promise.all(chunked(existing.map((id) => ({ put: { id, stage: 'old' } }))).map((c) => tables.batchWrite('loads', c)));
      requests = [];
      const rows = Array.from({ length: 250 }, (_, i) => ({ put: { id: `row-${i}`, stage: 'loaded' }, condition: { notExists: true } }));
      const results = (await Promise.all(chunked(rows).map((c) => tables.batchWrite('loads', c)))).flat();
      expect(results.filter((r) => r.ok)).toHaveLength(240);
      const failed = results.filter((r) => !r.ok);
      expect(failed).toHaveLength(10);
      for (const f of failed) {
        expect(f.error).toMatchObject({ code: 'CONDITION_FAILED' });
        expect(f.error?.message).toMatch(/already exists/);
      }
      expect(await tables.get('loads', { id: 'row-3' })).toEqual({ id: 'row-3', stage: 'old' });
      expect(await tables.get('loads', { id: 'row-4' })).toEqual({ id: 'row-4', stage: 'loaded' });
      const writes = requests.filter((r) => r === 'dynamodb:TransactWriteItemsCommand').length;
      console.log(`250 conditional puts, 10 existing: ${writes} TransactWriteItems requests`);
      // 3 transactions (100 + 100 + 50), each sent once more without its refused actions.
      expect(writes).toBeLessThanOrEqual(6);
      expect(requests.length - 2).toBe(writes); // the two gets
    });

    it('1,000 conditional puts take at most 0.05 DynamoDB requests per item', async () => {
      const rows = Array.from({ length: 1000 }, (_, i) => ({ put: { id: `r${i}`, stage: 'loaded', n: i }, condition: { notExists: true } }));
      requests = [];
      const results = (await Promise.all(chunked(rows).map((c) => h.backend.tables.batchWrite('loads', c)))).flat();
      expect(results.every((r) => r.ok)).toBe(true);
      const perItem = requests.filter((r) => r.startsWith('dynamodb:')).length / rows.length;
      console.log(`dynamodb_requests_per_item (1,000 conditional puts, chunks of 25 sent at once): ${perItem}`);
      expect(perItem).toBeLessThanOrEqual(0.05);
      // Sent one chunk of 25 after another, each is its own transaction: still 0.04.
      requests = [];
      for (const c of chunked(rows.map((r) => ({ update: { id: r.put.id }, set: { stage: 'done' }, condition: { equals: { stage: 'loaded' } } })))) {
        expect((await h.backend.tables.batchWrite('loads', c)).every((r) => r.ok)).toBe(true);
      }
      const sequential = requests.length / rows.length;
      console.log(`dynamodb_requests_per_item (1,000 conditional updates, chunks of 25 one after another): ${sequential}`);
      expect(sequential).toBeLessThanOrEqual(0.05);
    });

    it('a committed position survives a reopen: reading goes on after the committed record', async () => {
      for (let i = 1; i <= 5; i++) await h.backend.tables.put('loads', { id: `k${i}` });
      const first = await h.backend.tables.readStream('loads', 'durable', { limit: 3 });
      expect(first.map((r) => r.keys.id)).toEqual(['k1', 'k2', 'k3']);
      await h.backend.tables.commitStream('loads', 'durable', first[1]!.sequence);
      const reopened = (await h.reopen!()).tables;
      expect((await reopened.readStream('loads', 'durable')).map((r) => r.keys.id)).toEqual(['k3', 'k4', 'k5']);
      const again = await reopened.readStream('loads', 'durable');
      await reopened.commitStream('loads', 'durable', again.at(-1)!.sequence);
      await reopened.put('loads', { id: 'k6' });
      const third = (await h.reopen!()).tables;
      expect((await third.readStream('loads', 'durable')).map((r) => r.keys.id)).toEqual(['k6']);
      expect((await third.readStream('loads', 'fresh')).map((r) => r.keys.id)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    });

    it('the trigger pattern (read, read after, commit, read) reuses shard iterators', async () => {
      for (let i = 1; i <= 4; i++) await h.backend.tables.put('loads', { id: `k${i}` });
      const tables = h.backend.tables;
      const a = await tables.readStream('loads', 'fn:x', { limit: 2 });
      requests = [];
      const b = await tables.readStream('loads', 'fn:x', { limit: 2, after: a.at(-1)!.sequence });
      expect(b.map((r) => r.keys.id)).toEqual(['k3', 'k4']);
      await tables.commitStream('loads', 'fn:x', b.at(-1)!.sequence);
      expect(requests.filter((r) => r.endsWith('GetShardIteratorCommand'))).toEqual([]);
      requests = [];
      expect(await tables.readStream('loads', 'fn:x')).toEqual([]);
      expect(requests).toEqual(['dynamodbstreams:GetRecordsCommand']); // an idle poll: one request per shard
    });

    it('a request DynamoDB refuses for the whole transaction fails alone (the others are written)', async () => {
      requests = [];
      // DynamoDB numbers stop at 1e125: the transaction is refused without naming the action.
      const results = await h.backend.tables.batchWrite('loads', [{ put: { id: 'a' } }, { put: { id: 'huge', n: 1e200 } }, { put: { id: 'b' } }, { put: { id: 'c' }, condition: { notExists: true } }]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
      expect(results[1]!.error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(await h.backend.tables.get('loads', { id: 'huge' })).toBeUndefined();
      expect(await h.backend.tables.get('loads', { id: 'c' })).toEqual({ id: 'c' });
    });

    it('a table that does not exist is a NotFoundError saying to declare it', async () => {
      const err = await h.backend.tables.put('missing', { id: 'x' }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toContain('"missing"');
      expect((err as Error).message).toContain('baton.config.ts');
    });
  });
});

describe('shard lineage', () => {
  it('orders every listed parent before its children, whatever order DescribeStream gives', () => {
    const shard = (id: string, parent?: string) => ({ id, parent, ending: undefined });
    const order = lineage([shard('c1', 'b'), shard('b', 'a'), shard('x'), shard('c2', 'b'), shard('a'), shard('orphan', 'trimmed')]).map((s) => s.id);
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c1'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c2'));
    expect([...order].sort()).toEqual(['a', 'b', 'c1', 'c2', 'orphan', 'x']);
  });
});
