import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMapLedgerConformance } from '../conformance/map-ledger.ts';
import { dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const skip = dynamoSkipReason();

describe.skipIf(skip !== undefined)(`map ledger on DynamoDB Local${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  runMapLedgerConformance('aws (DynamoDB Local)', () => makeAwsBackend());

  describe('batch writes on DynamoDB', () => {
    let h: AwsHarness;
    const requests: string[] = [];
    beforeEach(() => {
      requests.length = 0;
      h = makeAwsBackend({ onRequest: (service, command) => service === 'dynamodb' && requests.push(command) });
    });
    afterEach(() => h.close());

    it('two takes racing over the same pending items never hand one item to both', async () => {
      const maps = h.backend.jobs.maps;
      await maps.open({ id: 'm', fn: 'f', options: {} });
      await maps.addItems('m', 0, Array.from({ length: 150 }, (_, i) => String(i)), true);
      const [a, b] = await Promise.all([maps.take('m', 150), maps.take('m', 150)]);
      const all = [...a, ...b].map((x) => x.index);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 150 }, (_, i) => i));
      expect(await maps.counts('m')).toMatchObject({ pending: 0, running: 150 });
    });

    it('adds 1,000 items with BatchWriteItem and completes them with TransactWriteItems, a few requests per hundred items', async () => {
      const maps = h.backend.jobs.maps;
      await maps.open({ id: 'm', fn: 'f', options: {} });
      requests.length = 0;
      await maps.addItems('m', 0, Array.from({ length: 1000 }, (_, i) => String(i)), true);
      const count = (name: string) => requests.filter((r) => r === name).length;
      expect(count('BatchWriteItemCommand')).toBe(40);
      expect(requests.length).toBeLessThan(50);
      const taken = await maps.take('m', 1000);
      requests.length = 0;
      await maps.complete('m', taken.map((t) => ({ index: t.index, status: 'succeeded' as const, attempts: 1 })));
      expect(requests).toEqual(Array(10).fill('TransactWriteItemsCommand'));
      expect(await maps.counts('m')).toEqual({ total: 1000, pending: 0, running: 0, succeeded: 1000, failed: 0 });
    });
  });
});
