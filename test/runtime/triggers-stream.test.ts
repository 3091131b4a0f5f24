import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { defaults } from '../../src/core/defaults.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { table } from '../../src/core/resources/table.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { encodedEvent, type EncodedEvent } from '../../src/ports/executor.ts';
import type { StreamRecord } from '../../src/ports/tables.ts';
import { decodeEvent } from '../../src/runtime/executor/worker/decoders.ts';
import { dynamodbEvent, marshall, unmarshall } from '../../src/runtime/triggers/events/dynamodb.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { fixtures, lines, runsSettled, until } from './engine-harness.ts';

const executor = createFunctionExecutor({ root: fixtures });
afterAll(() => executor.close());

let t: TestBackend | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  await t?.close();
  engine = undefined;
  t = undefined;
});

interface Seen {
  eventName: string;
  id: string;
  seq: string;
  n?: string;
  tags?: string[];
  nested?: boolean;
  batch: number;
}

function specWith(out: string, trigger: Record<string, unknown>) {
  return app('streams', [
    table('items', { partitionKey: 'id', stream: true }),
    queue('ddb-failures'),
    fn('ddb', './ddb-stream.ts', { env: { OUT_FILE: out }, triggers: [{ table: 'items', ...trigger }] }),
  ]);
}

describe('marshall', () => {
  it('writes JSON values in DynamoDB attribute-value form', () => {
    expect(marshall({ s: 'x', n: 1.5, b: false, z: null, l: [1, 'a'], m: { ok: true }, u: undefined })).toEqual({
      s: { S: 'x' },
      n: { N: '1.5' },
      b: { BOOL: false },
      z: { NULL: true },
      l: { L: [{ N: '1' }, { S: 'a' }] },
      m: { M: { ok: { BOOL: true } } },
    });
  });
});

describe('unmarshall', () => {
  it('gives back the plain item marshall was given', () => {
    const item = { s: 'x', n: 1.5, b: false, z: null, l: [1, 'a', { deep: [true] }], m: { ok: true } };
    expect(unmarshall(marshall(item))).toEqual(item);
  });
});

describe('stream event wire form', () => {
  it('rebuilds in the worker exactly the event the trigger would have sent as JSON', async () => {
    const t = makeLocalBackend();
    try {
      const { tables } = t.backend;
      await tables.declare({ name: 'w', partitionKey: { name: 'id', type: 'string' }, stream: { viewType: 'NEW_AND_OLD_IMAGES' } });
      await tables.put('w', { id: 'a', n: 1, nested: { l: [1, 'x', null], ok: true }, text: 'quote " and é' });
      await tables.update('w', { id: 'a' }, { add: { n: 2 } });
      await tables.delete('w', { id: 'a' });
      const read = await tables.readStream('w', 'c');
      const plain = read.map((r) => JSON.parse(JSON.stringify(r)) as StreamRecord); // no stored text: encoded from the values
      for (const records of [read, plain]) {
        const event = dynamodbEvent(records, 'NEW_AND_OLD_IMAGES');
        const wire = (event as { [encodedEvent]?: EncodedEvent })[encodedEvent]!;
        expect(wire.decoder).toBe('dynamodb-stream');
        expect(decodeEvent(wire.wire(), wire.decoder)).toEqual(JSON.parse(JSON.stringify(event)));
        expect(event.Records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
        expect(unmarshall(event.Records[1]!.dynamodb!.OldImage as never)).toMatchObject({ n: 1 });
        expect(unmarshall(event.Records[1]!.dynamodb!.NewImage as never)).toMatchObject({ n: 3 });
      }
    } finally {
      await t.close();
    }
  });
});

describe('table stream -> fn trigger', () => {
  it('with a filter, hands over only the chosen kinds of record and commits past the others', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { batchSize: 3, filter: { eventName: ['INSERT'] } });
    // The store skips the other kinds (readStream's eventNames): the trigger never reads their images.
    const tables = t.backend.tables;
    const readStream = tables.readStream.bind(tables);
    const readKinds: string[] = [];
    tables.readStream = async (table, consumer, options) => {
      const page = await readStream(table, consumer, options);
      // The engine's reads (the test's own check below reads without options).
      if (consumer === 'fn:ddb' && options?.limit !== undefined) readKinds.push(`${options.eventNames?.join() ?? 'all'}: ${page.map((r) => r.eventName).join()}`);
      return page;
    };
    engine = await startEngine({ backend: t.backend, spec, executor });
    const items = t.backend.tables;
    await items.put('items', { id: 'a', n: 1 });
    await items.update('items', { id: 'a' }, { add: { n: 1 } });
    await items.update('items', { id: 'a' }, { add: { n: 1 } });
    await items.update('items', { id: 'a' }, { add: { n: 1 } });
    await items.put('items', { id: 'b', n: 1 });
    await items.delete('items', { id: 'a' });
    await items.update('items', { id: 'b' }, { add: { n: 1 } });
    await until(async () => lines(out).length === 2 && (await t!.backend.tables.readStream('items', 'fn:ddb')).length === 0, { clock: t.clock, what: 'two INSERTs handled and the stream read to its end' });
    expect(lines<Seen>(out).map((s) => [s.eventName, s.id])).toEqual([
      ['INSERT', 'a'],
      ['INSERT', 'b'],
    ]);
    const runs = await t.backend.runs.list({ fn: 'ddb' });
    expect(runs.reduce((n, r) => n + r.recordIds.length, 0)).toBe(2); // the skipped records are never handed over
    expect(readKinds.length).toBeGreaterThan(0);
    for (const read of readKinds) expect(read).toMatch(/^INSERT: (INSERT,?)*$/);
  });


  it('hands the handler NewImage in attribute-value JSON, in order per key, and commits its position', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { batchSize: 2 });
    engine = await startEngine({ backend: t.backend, spec, executor });
    const items = t.backend.tables;
    await items.put('items', { id: 'a', n: 1, tags: ['x', 'y'], meta: { ok: true } });
    await items.put('items', { id: 'b', n: 1 });
    await items.update('items', { id: 'a' }, { add: { n: 1 } });
    await items.update('items', { id: 'b' }, { add: { n: 5 } });
    await items.update('items', { id: 'a' }, { add: { n: 1 } });
    await items.delete('items', { id: 'b' });
    await until(() => lines(out).length === 6, { clock: t.clock, what: 'six stream records' });
    await runsSettled(t.backend, 'ddb', 1, { clock: t.clock });
    const seen = lines<Seen>(out);
    expect(seen[0]).toEqual({ eventName: 'INSERT', id: 'a', seq: '000000000000000000001', n: '1', tags: ['x', 'y'], nested: true, batch: expect.any(Number) as number });
    expect(seen.filter((s) => s.id === 'a').map((s) => [s.eventName, s.n])).toEqual([['INSERT', '1'], ['MODIFY', '2'], ['MODIFY', '3']]);
    expect(seen.filter((s) => s.id === 'b').map((s) => [s.eventName, s.n])).toEqual([['INSERT', '1'], ['MODIFY', '6'], ['REMOVE', undefined]]);
    expect(seen.map((s) => s.seq)).toEqual([...seen.map((s) => s.seq)].sort());
    expect(Math.max(...seen.map((s) => s.batch))).toBeLessThanOrEqual(2);
    const runs = await t.backend.runs.list({ fn: 'ddb' });
    expect(runs.every((r) => r.trigger === 'stream:items' && r.status === 'ok')).toBe(true);
    // Committed: a restarted engine reads nothing again.
    await engine.stop();
    engine = await startEngine({ backend: t.backend, spec, executor });
    await t.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(lines(out)).toHaveLength(6);
  });

  it('fills a batch over several reads of the stream, up to batchSize', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const total = defaults.tables.maxStreamReadLimit * 2 + 500;
    await provision(t.backend, specWith(out, {}));
    for (let i = 0; i < total; i += 25) {
      await t.backend.tables.batchWrite('items', Array.from({ length: Math.min(25, total - i) }, (_, j) => ({ put: { id: `k${i + j}`, n: 1 } })));
    }
    engine = await startEngine({ backend: t.backend, spec: specWith(out, { batchSize: total - 100 }), executor });
    await until(() => lines(out).length === total, { clock: t.clock, what: 'every record handled' });
    await runsSettled(t.backend, 'ddb', 2, { clock: t.clock });
    const runs = await t.backend.runs.list({ fn: 'ddb' });
    expect(runs.map((r) => r.recordIds.length).sort((a, b) => a - b)).toEqual([100, total - 100]);
  });

  it('with a parallelization factor, runs batches at once and keeps each partition key in order', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const startedFile = join(t.dir, 'started');
    const spec = app('lanes', [
      table('items', { partitionKey: 'id', stream: true }),
      fn('lanes', './ddb-lanes.ts', { env: { OUT_FILE: out, STARTED_FILE: startedFile }, timeout: '10s', triggers: [{ table: 'items', batchSize: 50, parallelizationFactor: 3 }] }),
    ]);
    await provision(t.backend, spec);
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
    for (const n of [1, 2, 3]) {
      for (let i = 0; i < keys.length; i += 25) await t.backend.tables.batchWrite('items', keys.slice(i, i + 25).map((id) => ({ put: { id, n } })));
    }
    engine = await startEngine({ backend: t.backend, spec, executor });
    await until(() => lines<{ records: unknown[] }>(out).reduce((n, b) => n + b.records.length, 0) === keys.length * 3, { clock: t.clock, what: 'every record handled' });
    await runsSettled(t.backend, 'lanes', 3, { clock: t.clock });
    const batches = lines<{ together: boolean; records: Array<[string, number]> }>(out);
    expect(batches.some((b) => b.together)).toBe(true);
    expect(Math.max(...batches.map((b) => b.records.length))).toBeLessThanOrEqual(50);
    const seen = new Map<string, number[]>();
    for (const b of batches) for (const [id, n] of b.records) seen.set(id, [...(seen.get(id) ?? []), n]);
    expect([...seen.keys()].sort()).toEqual([...keys].sort());
    for (const ns of seen.values()) expect(ns).toEqual([1, 2, 3]);
    expect(await t.backend.tables.readStream('items', 'fn:lanes')).toEqual([]);
  });

  it('bisects a failing batch, sends the bad record to onFailure after its retries, and goes on past it', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { batchSize: 4, bisectOnError: true, maxRetryAttempts: 1, onFailure: { queue: 'ddb-failures' } });
    await provision(t.backend, spec);
    for (const [id, bad] of [['r1', false], ['r2', false], ['r3', true], ['r4', false]] as const) await t.backend.tables.put('items', { id, bad });
    engine = await startEngine({ backend: t.backend, spec, executor });
    await until(async () => (await t!.backend.queues.stats('ddb-failures')).visible === 1 && lines(out).length === 3, { clock: t.clock, what: 'the failure record' });
    await runsSettled(t.backend, 'ddb', 5, { clock: t.clock });
    expect(lines<Seen>(out).map((s) => [s.id, s.batch])).toEqual([['r1', 2], ['r2', 2], ['r4', 1]]);
    const [msg] = await t.backend.queues.receive('ddb-failures');
    const record = JSON.parse(msg!.body) as { requestContext: Record<string, unknown>; DDBStreamBatchInfo: Record<string, unknown>; payload: { Records: Array<{ eventID: string }> } };
    expect(record.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ddb' });
    expect(record.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, startSequenceNumber: '000000000000000000003', endSequenceNumber: '000000000000000000003', streamArn: expect.stringContaining(':table/items/stream/') as string });
    expect(record.payload.Records.map((r) => r.eventID)).toEqual(['items-000000000000000000003']);
    const statuses = (await t.backend.runs.list({ fn: 'ddb' })).reverse().map((r) => [r.recordIds.length, r.status]);
    expect(statuses).toEqual([[4, 'error'], [2, 'ok'], [2, 'error'], [1, 'error'], [1, 'ok']]);
  });

  it('retries a failing batch with backoff on the clock, then sends it to onFailure and moves on', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { batchSize: 10, maxRetryAttempts: 2, onFailure: { queue: 'ddb-failures' } });
    await provision(t.backend, spec);
    await t.backend.tables.put('items', { id: 'x', bad: true });
    engine = await startEngine({ backend: t.backend, spec, executor });
    const start = t.clock.now();
    await until(async () => (await t!.backend.queues.stats('ddb-failures')).visible === 1, { clock: t.clock, stepMs: 250, what: 'the failure record' });
    expect(t.clock.now() - start).toBeGreaterThanOrEqual(3000);
    const runs = (await t.backend.runs.list({ fn: 'ddb' })).reverse();
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([[1, 'error'], [2, 'error'], [3, 'error']]);
    expect(runs[1]!.startedAt - runs[0]!.startedAt).toBeGreaterThanOrEqual(1000);
    expect(runs[2]!.startedAt - runs[1]!.startedAt).toBeGreaterThanOrEqual(2000);
    await t.backend.tables.put('items', { id: 'y', n: 7 });
    await until(() => lines(out).length === 1, { clock: t.clock, what: 'the next record' });
    expect(lines<Seen>(out)[0]).toMatchObject({ id: 'y', n: '7' });
  });
});
