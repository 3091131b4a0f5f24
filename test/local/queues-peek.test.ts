/**
 * Local peek on a large table: it walks row ids for a queue that holds most rows (a DLQ) and goes
 * through the queue's index once the walk finds the queue sparse; both give the same pages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueConfig } from '../conformance/queues.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

describe('local queues.peek on a large table', { timeout: 120_000 }, () => {
  let t: TestBackend;
  beforeEach(async () => {
    t = makeLocalBackend();
    await t.backend.queues.declare(queueConfig('busy'));
    await t.backend.queues.declare(queueConfig('sparse'));
  });
  afterEach(async () => {
    await t.close();
  });

  const fill = async (n: number) => {
    for (let i = 0; i < n; i += 1000) await t.backend.queues.sendBatch('busy', Array.from({ length: 1000 }, (_, j) => ({ body: `b${i + j}` })));
  };

  it('pages a queue whose few messages are spread over 150,000 rows of another queue, in order, to the end', async () => {
    const q = t.backend.queues;
    await q.send('sparse', { body: 's1' });
    await fill(75_000);
    await q.send('sparse', { body: 's2' });
    await fill(75_000);
    await q.send('sparse', { body: 's3' });
    const first = await q.peek('sparse', { limit: 2 });
    expect(first.items.map((m) => m.body)).toEqual(['s1', 's2']);
    const second = await q.peek('sparse', { limit: 2, cursor: first.next! });
    expect(second).toEqual({ items: [expect.objectContaining({ body: 's3' })], next: null });
    // The busy queue itself pages by walking: a deep page is as right as the first.
    const busy = await q.peek('busy', { limit: 3 });
    expect(busy.items.map((m) => m.body)).toEqual(['b0', 'b1', 'b2']);
    expect((await q.peek('busy', { limit: 2, cursor: busy.next! })).items.map((m) => m.body)).toEqual(['b3', 'b4']);
  });
});
