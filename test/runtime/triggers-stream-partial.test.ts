/**
 * Stream triggers and partial batch responses (issue 11, "no failure silently dropped"): a handler
 * written as Powertools' batch processor documents it returns the failed records' sequence numbers;
 * with reportBatchItemFailures the trigger checkpoints before the lowest one and retries from there.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { table } from '../../src/core/resources/table.ts';
import type { StreamRecord } from '../../src/ports/tables.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { StreamCheckpoint } from '../../src/runtime/triggers/stream-checkpoint.ts';
import { streamResponse } from '../../src/runtime/triggers/stream-partial.ts';
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

interface Delivery {
  id: string;
  seq: string;
  ok: boolean;
}

const seq = (n: number) => String(n).padStart(21, '0');

function specWith(out: string, trigger: Record<string, unknown>) {
  return app('partial', [
    table('items', { partitionKey: 'id', stream: true }),
    queue('ddb-failures'),
    fn('ddbp', './ddb-partial.ts', { env: { OUT_FILE: out }, triggers: [{ table: 'items', batchSize: 5, ...trigger }] }),
  ]);
}

/** Puts r1..r5; r3 fails its first `fail` deliveries (-1: always). */
async function putRecords(tb: TestBackend, fail: number): Promise<void> {
  for (let i = 1; i <= 5; i++) await tb.backend.tables.put('items', { id: `r${i}`, ...(i === 3 ? { fail } : {}) });
}

const countsOf = (out: string) => {
  const counts: Record<string, number> = {};
  for (const d of lines<Delivery>(out)) counts[d.id] = (counts[d.id] ?? 0) + 1;
  return counts;
};

describe('streamResponse (what Lambda makes of a stream handler response)', () => {
  const records = [1, 2, 3].map((n) => ({ sequence: n, eventName: 'INSERT', table: 'items', keys: { id: `r${n}` }, createdAt: 0 }) as StreamRecord);
  it('takes no response, an empty or null list as success', () => {
    for (const result of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) expect(streamResponse(result, records)).toEqual({ kind: 'ok' });
  });
  it('retries from the lowest failed sequence number', () => {
    expect(streamResponse({ batchItemFailures: [{ itemIdentifier: seq(3) }, { itemIdentifier: seq(2) }] }, records)).toEqual({ kind: 'partial', from: 1, failed: [seq(2), seq(3)] });
  });
  it('fails the whole batch for an identifier that is not a sequence number of the batch', () => {
    for (const entry of [{ itemIdentifier: seq(9) }, { itemIdentifier: '' }, { itemIdentifier: null }, { id: seq(2) }, { itemIdentifier: 'items-' + seq(2) }]) {
      expect(streamResponse({ batchItemFailures: [entry] }, records)).toMatchObject({ kind: 'whole' });
    }
  });
});

describe('StreamCheckpoint', () => {
  it('commits up to the first record some lane has not done, skipped records included', async () => {
    const r = (n: number, id: string) => ({ sequence: n, eventName: 'INSERT', table: 't', keys: { id }, createdAt: 0 }) as StreamRecord;
    const read = [r(1, 'a'), r(2, 'b'), r(3, 'skipped'), r(4, 'a'), r(5, 'b'), r(6, 'a')];
    const lanes = [[read[0]!, read[3]!, read[5]!], [read[1]!, read[4]!]];
    const commits: number[] = [];
    const c = new StreamCheckpoint(read, lanes, async (s) => void commits.push(s));
    expect(c.position()).toBeUndefined();
    c.done(0, read[3]!);
    expect(c.position()).toBe(1); // lane 1 has not done 2
    c.done(1, read[1]!);
    expect(c.position()).toBe(4); // lane 1 has not done 5; the skipped 3 goes with the rest
    await c.save();
    await c.save(); // no move: no second write
    c.done(1, read[4]!);
    c.done(0, read[5]!);
    await c.save();
    expect(commits).toEqual([4, 6]);
  });
});

describe('stream trigger with reportBatchItemFailures', () => {
  it('checkpoints before the failed record, retries it and the ones after it, never the ones before', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { reportBatchItemFailures: true, maxRetryAttempts: 2 });
    await provision(t.backend, spec);
    await putRecords(t, 1);
    engine = await startEngine({ backend: t.backend, spec, executor });
    // The first delivery: r3 fails; before the retry wait the position is committed past r2.
    await until(async () => lines(out).length === 5 && (await t!.backend.tables.readStream('items', 'fn:ddbp'))[0]?.sequence === 3, { what: 'the checkpoint before r3' });
    await until(() => lines(out).length === 8, { clock: t.clock, what: 'the retry of r3..r5' });
    await runsSettled(t.backend, 'ddbp', 2, { clock: t.clock });
    expect(lines<Delivery>(out).map((d) => [d.id, d.ok])).toEqual([
      ['r1', true], ['r2', true], ['r3', false], ['r4', true], ['r5', true],
      ['r3', true], ['r4', true], ['r5', true],
    ]);
    const runs = (await t.backend.runs.list({ fn: 'ddbp' })).reverse();
    expect(runs.map((r) => [r.attempt, r.status, r.recordIds.length])).toEqual([[1, 'error', 5], [2, 'ok', 3]]);
    expect(runs[0]!.error).toMatchObject({ type: 'BatchItemFailures', message: expect.stringContaining(`sequence numbers ${seq(3)}`) as string });
    expect(await t.backend.tables.readStream('items', 'fn:ddbp')).toEqual([]);
    // Nothing before the failed record is delivered again, even by a restarted engine.
    await engine.stop();
    engine = await startEngine({ backend: t.backend, spec, executor });
    await t.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(countsOf(out)).toEqual({ r1: 1, r2: 1, r3: 2, r4: 2, r5: 2 });
  });

  it('after the retries, sends the failed record and the ones after it on-failure and goes on', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { reportBatchItemFailures: true, maxRetryAttempts: 1, onFailure: { queue: 'ddb-failures' } });
    await provision(t.backend, spec);
    await putRecords(t, -1);
    engine = await startEngine({ backend: t.backend, spec, executor });
    await until(async () => (await t!.backend.queues.stats('ddb-failures')).visible === 1, { clock: t.clock, what: 'the failure record' });
    expect(countsOf(out)).toEqual({ r1: 1, r2: 1, r3: 2, r4: 2, r5: 2 });
    const [msg] = await t.backend.queues.receive('ddb-failures');
    const record = JSON.parse(msg!.body) as { requestContext: Record<string, unknown>; responseContext: Record<string, unknown>; responsePayload: unknown; DDBStreamBatchInfo: Record<string, unknown>; payload: { Records: Array<{ eventID: string }> } };
    expect(record.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 });
    expect(record.responseContext.functionError).toBeUndefined();
    expect(record.responsePayload).toEqual({ batchItemFailures: [{ itemIdentifier: seq(3) }] });
    expect(record.DDBStreamBatchInfo).toMatchObject({ batchSize: 3, startSequenceNumber: seq(3), endSequenceNumber: seq(5) });
    expect(record.payload.Records.map((r) => r.eventID)).toEqual([3, 4, 5].map((n) => `items-${seq(n)}`));
    // It goes on past the failed records.
    await t.backend.tables.put('items', { id: 'r6' });
    await until(() => lines(out).length === 9, { clock: t.clock, what: 'the next record' });
    await runsSettled(t.backend, 'ddbp', 3, { clock: t.clock });
    expect(lines<Delivery>(out).at(-1)).toMatchObject({ id: 'r6', ok: true });
    expect(await t.backend.tables.readStream('items', 'fn:ddbp')).toEqual([]);
  });

  it('with bisectOnError, splits a partial failure at the failed record (no halving)', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { reportBatchItemFailures: true, bisectOnError: true, maxRetryAttempts: 2 });
    await provision(t.backend, spec);
    await putRecords(t, 1);
    engine = await startEngine({ backend: t.backend, spec, executor });
    await until(() => lines(out).length === 8, { clock: t.clock, what: 'the retry of r3..r5' });
    await runsSettled(t.backend, 'ddbp', 2, { clock: t.clock });
    expect((await t.backend.runs.list({ fn: 'ddbp' })).reverse().map((r) => r.recordIds.length)).toEqual([5, 3]);
  });
});

describe('stream trigger without reportBatchItemFailures (the default, as Lambda)', () => {
  it('ignores a returned batchItemFailures: the batch is ok and nothing is retried', async () => {
    t = makeLocalBackend();
    const out = join(t.dir, 'out.jsonl');
    const spec = specWith(out, { maxRetryAttempts: 2, onFailure: { queue: 'ddb-failures' } });
    await provision(t.backend, spec);
    await putRecords(t, 1);
    engine = await startEngine({ backend: t.backend, spec, executor });
    await until(async () => lines(out).length === 5 && (await t!.backend.tables.readStream('items', 'fn:ddbp')).length === 0, { clock: t.clock, what: 'the batch committed' });
    await runsSettled(t.backend, 'ddbp', 1, { clock: t.clock });
    await t.clock.advance(5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(countsOf(out)).toEqual({ r1: 1, r2: 1, r3: 1, r4: 1, r5: 1 });
    expect((await t.backend.runs.list({ fn: 'ddbp' })).map((r) => r.status)).toEqual(['ok']);
    expect((await t.backend.queues.stats('ddb-failures')).visible).toBe(0);
  });
});
