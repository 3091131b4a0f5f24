import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { app, bucket, params, queue, schedule, table } from '../../src/index.ts';
import { ConditionFailedError, DefinitionError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import { provision } from '../../src/runtime/provision.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const spec = app('bad-input', [
  bucket('files'),
  queue('jobs', { maxMessageSize: '1KiB', deadLetter: { maxReceiveCount: 2 } }),
  table('items', { partitionKey: 'id', stream: true }),
  params('/bad', { initial: { cursor: '7' } }),
]);

let t: TestBackend;

/** Everything observable in the store, to compare before and after a refused operation. */
async function snapshot() {
  const b = t.backend;
  const objects = await b.objects.list('files');
  return {
    jobs: await b.queues.stats('jobs'),
    objects: objects.objects.map((o) => [o.key, o.etag]),
    item: await b.tables.get('items', { id: 'a' }),
    stream: (await b.tables.readStream('items', 'snapshot')).length,
    cursor: await b.params.get('/bad/cursor'),
    events: (await b.objects.pendingEvents()).length,
  };
}

beforeEach(async () => {
  t = makeLocalBackend();
  await provision(t.backend, spec);
  await t.backend.queues.send('jobs', { body: 'ok' });
  await t.backend.objects.put('files', 'in/a.txt', 'a');
  await t.backend.tables.put('items', { id: 'a', n: 1 });
});

afterEach(async () => t.close());

describe('bad input: a clear error, and nothing else in the store changes', () => {
  it('an oversized message names the queue, the size and the limit; its batch neighbours are sent', async () => {
    const before = await snapshot();
    await expect(t.backend.queues.send('jobs', { body: 'x'.repeat(2000) })).rejects.toThrow(TooLargeError);
    await expect(t.backend.queues.send('jobs', { body: 'x'.repeat(2000) })).rejects.toThrow(/jobs.*2000.*1024|jobs.*1024.*2000/s);
    expect(await snapshot()).toEqual(before);

    const res = await t.backend.queues.sendBatch('jobs', [{ body: 'one' }, { body: 'y'.repeat(5000) }, { body: 'two' }]);
    expect(res.map((r) => r.ok)).toEqual([true, false, true]);
    expect(res[1]?.error?.message).toMatch(/jobs/);
    expect((await t.backend.queues.stats('jobs')).visible).toBe(3);
  });

  it.each([
    ['', /empty/i],
    ['/abs/key', /absolute|start with/i],
    ['a/../b', /\.\./],
    ['k'.repeat(1025), /1024/],
  ])('an invalid key %j is refused with the rule it broke', async (key, rule) => {
    const before = await snapshot();
    const err = await t.backend.objects.put('files', key, 'data').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/files/);
    expect((err as Error).message).toMatch(rule);
    expect(await snapshot()).toEqual(before);
  });

  it('a table item with a wrong key type, or too large, changes nothing', async () => {
    const before = await snapshot();
    await expect(t.backend.tables.put('items', { id: 42 })).rejects.toThrow(/items.*id/s);
    await expect(t.backend.tables.put('items', { id: 'b', blob: 'x'.repeat(500 * 1024) })).rejects.toThrow(TooLargeError);
    await expect(t.backend.tables.put('items', { id: 'a', n: 2 }, { condition: { notExists: true } })).rejects.toThrow(ConditionFailedError);
    expect(await snapshot()).toEqual(before);
  });

  it('a stale checkpoint write is refused by compare-and-set', async () => {
    const before = await snapshot();
    await expect(t.backend.params.put('/bad/cursor', { value: '9', overwrite: true, expectedVersion: 5 })).rejects.toThrow(/\/bad\/cursor.*5.*1|\/bad\/cursor.*1.*5/s);
    await expect(t.backend.params.put('bad name', { value: '1' })).rejects.toThrow(ValidationError);
    expect(await snapshot()).toEqual(before);
  });

  it('malformed schedules and wrong definition types fail at load, naming the resource and the field', () => {
    expect(() => schedule('s', { expression: 'cron(0 25 * * ? *)' })).toThrow(/schedule "s" is invalid: field "expression" = "cron\(0 25 \* \* \? \*\)": .*hour/s);
    expect(() => schedule('s', { expression: 'rate(0 minutes)' })).toThrow(/schedule "s" is invalid: field "expression"/);
    expect(() => schedule('s', { expression: 'every day' })).toThrow(DefinitionError);
    expect(() => queue('q', { maxMessageSize: 'huge' })).toThrow(/queue "q" is invalid: field "maxMessageSize" = "huge"/);
    expect(() => table('t', { partitionKey: 5 } as never)).toThrow(/table "t" is invalid: field "partitionKey" = 5/);
  });
});
