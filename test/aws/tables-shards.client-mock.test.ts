/**
 * Stream reading across shards, with the DynamoDB Streams client mocked (aws-sdk-client-mock):
 * DynamoDB Local gives a table one shard, so parent/child lineage, closed shards and per-shard
 * positions are driven here from scripted DescribeStream / GetShardIterator / GetRecords answers.
 * The table and Baton's positions table are real (DynamoDB Local).
 */
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TableStore } from '../../src/ports/tables.ts';
import { dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const skipReason = dynamoSkipReason();
const seq = (n: number) => String(n).padStart(21, '0');

function record(n: number, customer: string, v: number): _Record {
  return {
    eventID: `e${n}`,
    eventName: v === 1 ? 'INSERT' : 'MODIFY',
    dynamodb: { SequenceNumber: seq(n), Keys: { customer: { S: customer } }, NewImage: { customer: { S: customer }, v: { N: String(v) } }, ApproximateCreationDateTime: new Date(1_700_000_000_000 + n) },
  };
}

/** Shard A (closed: its last record is 200) is the parent of B; C stands alone. DescribeStream lists the child first. */
const shards = [
  { ShardId: 'B', ParentShardId: 'A', SequenceNumberRange: { StartingSequenceNumber: seq(400) } },
  { ShardId: 'A', SequenceNumberRange: { StartingSequenceNumber: seq(100), EndingSequenceNumber: seq(200) } },
  { ShardId: 'C', SequenceNumberRange: { StartingSequenceNumber: seq(150) } },
];
const data: Record<string, _Record[]> = {
  A: [record(100, 'k1', 1), record(200, 'k1', 2)],
  B: [record(400, 'k1', 3), record(500, 'k1', 4)],
  C: [record(150, 'k2', 1)],
};
/**
 * Scripts the streams client of a backend: iterators are "shard|position", records follow data.
 * `openParent`: A is still open (no ending), as while DynamoDB has not yet closed it.
 */
function script(h: AwsHarness, openParent = false, parentEnding = seq(200)): { iterators: Array<{ shard: string; type: string; after?: string }> } {
  const seen: Array<{ shard: string; type: string; after?: string }> = [];
  const closed = new Set(openParent ? [] : ['A']);
  const m = mockClient(h.backend.context.clients.streams);
  const range = { StartingSequenceNumber: seq(100), ...(openParent ? {} : { EndingSequenceNumber: parentEnding }) };
  const listed = shards.map((x) => (x.ShardId === 'A' ? { ShardId: 'A', SequenceNumberRange: range } : x));
  m.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: listed } });
  m.on(GetShardIteratorCommand).callsFake((input: { ShardId: string; ShardIteratorType: string; SequenceNumber?: string }) => {
    seen.push({ shard: input.ShardId, type: input.ShardIteratorType, ...(input.SequenceNumber ? { after: input.SequenceNumber } : {}) });
    const from = input.SequenceNumber ? data[input.ShardId]!.findIndex((r) => BigInt(r.dynamodb!.SequenceNumber!) > BigInt(input.SequenceNumber!)) : 0;
    return { ShardIterator: `${input.ShardId}|${from === -1 ? data[input.ShardId]!.length : from}` };
  });
  m.on(GetRecordsCommand).callsFake((input: { ShardIterator: string; Limit?: number }) => {
    const [shard, at] = input.ShardIterator.split('|') as [string, string];
    const all = data[shard]!;
    const records = all.slice(Number(at), Number(at) + (input.Limit ?? 1000));
    const next = Number(at) + records.length;
    return { Records: records, NextShardIterator: closed.has(shard) && next >= all.length ? undefined : `${shard}|${next}` };
  });
  return { iterators: seen };
}

describe.skipIf(skipReason !== undefined)(`aws table streams across shards (client mock)${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  let h: AwsHarness;
  let tables: TableStore;

  beforeEach(async () => {
    h = makeAwsBackend();
    tables = h.backend.tables;
    await tables.declare({ name: 'orders', partitionKey: { name: 'customer', type: 'string' }, stream: { viewType: 'NEW_IMAGE' } });
  });
  afterEach(async () => {
    await h.close();
  });

  const v = (rs: Awaited<ReturnType<TableStore['readStream']>>) => rs.map((r) => `${r.keys.customer}:${r.newImage?.v}`);

  it('reads a parent shard to its end before its children, so one key stays in order', async () => {
    script(h);
    const all = await tables.readStream('orders', 'all');
    expect(v(all)).toEqual(['k1:1', 'k1:2', 'k1:3', 'k1:4', 'k2:1']);
    expect(all[0]!.createdAt).toBe(1_700_000_000_100);
  });

  it('a child waits while its parent is open, and is read once the parent ends', async () => {
    script(h, true);
    const first = await tables.readStream('orders', 'slow');
    expect(v(first)).toEqual(['k1:1', 'k1:2', 'k2:1']);
    await tables.commitStream('orders', 'slow', first.at(-1)!.sequence);
    expect(await tables.readStream('orders', 'slow')).toEqual([]);
    await h.reopen!(); // a new store lists the shards again: now A has ended
    script(h);
    expect(v(await h.backend.tables.readStream('orders', 'slow'))).toEqual(['k1:3', 'k1:4']);
  });

  it('a closed parent read to its end is not asked again, even when its ending number has no record', async () => {
    const { iterators } = script(h, false, seq(300));
    const all = await tables.readStream('orders', 'once');
    await tables.commitStream('orders', 'once', all.at(-1)!.sequence);
    expect(await tables.readStream('orders', 'once')).toEqual([]);
    expect(await tables.readStream('orders', 'other', { limit: 1 })).toHaveLength(1);
    expect(iterators.filter((i) => i.shard === 'A')).toEqual([
      { shard: 'A', type: 'TRIM_HORIZON' },
      { shard: 'A', type: 'TRIM_HORIZON' },
    ]);
  });

  it('reads a page at a time across shards with after', async () => {
    script(h);
    const first = await tables.readStream('orders', 'pager', { limit: 1 });
    const next = await tables.readStream('orders', 'pager', { limit: 3, after: first[0]!.sequence });
    expect(v([...first, ...next])).toEqual(['k1:1', 'k1:2', 'k1:3', 'k1:4']);
  });

  it('a commit keeps a position per shard, and a reopened backend starts each shard after it', async () => {
    script(h);
    const page = await tables.readStream('orders', 'durable', { limit: 3 });
    expect(v(page)).toEqual(['k1:1', 'k1:2', 'k1:3']);
    await tables.commitStream('orders', 'durable', page.at(-1)!.sequence);
    const reopened = await h.reopen!();
    const { iterators } = script(h);
    expect(v(await reopened.tables.readStream('orders', 'durable'))).toEqual(['k1:4', 'k2:1']);
    // A is closed and committed to its end: not touched. B goes on after 400; C from its start.
    expect(iterators).toEqual([
      { shard: 'B', type: 'AFTER_SEQUENCE_NUMBER', after: seq(400) },
      { shard: 'C', type: 'TRIM_HORIZON' },
    ]);
  });
});
