import { describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { bucket } from '../../src/core/resources/bucket.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { schedule } from '../../src/core/resources/schedule.ts';
import { table } from '../../src/core/resources/table.ts';
import { topic } from '../../src/core/resources/topic.ts';

/** The message a definition throws. */
function error(declare: () => unknown): string {
  try {
    declare();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the definition to throw');
}

describe('one Target shape for where an event goes', () => {
  const orders = queue('orders');
  const ingest = fn('ingest', './ingest.ts');
  const alerts = topic('alerts');

  it('takes { queue } / { fn } / { topic } or the declaration itself, in all four places', () => {
    const spec = app('shop', [
      orders,
      ingest,
      alerts,
      table('items', { partitionKey: 'id', stream: true }),
      bucket('uploads', { notifications: [{ prefix: 'in/', target: orders }, { suffix: '.csv', target: ingest }, { target: { queue: 'orders' } }] }),
      schedule('tick', { expression: 'rate(1 hour)', target: ingest }),
      schedule('tock', { expression: 'rate(1 hour)', target: alerts }),
      topic('news', { subscribers: [orders, ingest, { fn: 'ingest' }, { file: 'news.jsonl' }] }),
      fn('work', './work.ts', { onFailure: alerts, triggers: [{ table: 'items', onFailure: orders }] }),
    ]);
    expect(spec.buckets[0]!.notifications).toEqual([
      { events: ['created'], prefix: 'in/', queue: 'orders' },
      { events: ['created'], suffix: '.csv', target: 'fn:ingest' },
      { events: ['created'], queue: 'orders' },
    ]);
    expect(spec.schedules.map((s) => s.target)).toEqual([{ fn: 'ingest' }, { topic: 'alerts' }]);
    expect(spec.topics.find((t) => t.name === 'news')!.subscribers).toEqual([
      { kind: 'queue', queue: 'orders' },
      { kind: 'queue', queue: 'baton-sns-news-ingest', fn: 'ingest' },
      { kind: 'queue', queue: 'baton-sns-news-ingest', fn: 'ingest' },
      { kind: 'file', path: 'news.jsonl' },
    ]);
    const work = spec.fns.find((f) => f.name === 'work')!;
    expect(work.onFailure).toEqual({ topic: 'alerts' });
    expect(work.triggers[0]).toMatchObject({ kind: 'stream', onFailure: { queue: 'orders' } });
  });

  it('refuses a kind the field cannot deliver to, saying which it can', () => {
    expect(error(() => fn('work', './work.ts', { onFailure: ingest as never }))).toMatch(/field "onFailure" = .*: a fn "ingest" cannot be a target here; expected a queue or a topic/);
    expect(error(() => bucket('uploads', { notifications: [{ target: { topic: 'alerts' } as never }] }))).toMatch(
      /field "notifications\.0\.target" = \{"topic":"alerts"\}: expected a target: a queue \{ queue: '<name>' \}, a function \{ fn: '<name>' \} or the queue\(\)\/fn\(\) declaration itself/,
    );
  });

  it("says how to write a bucket notification's old { queue } / { fn } form", () => {
    expect(error(() => bucket('uploads', { notifications: [{ queue: 'orders' }] } as never))).toMatch(/field "notifications\.0\.queue" = "orders": a notification names where it goes with target: write target: \{ queue: "orders" \}/);
    expect(error(() => bucket('uploads', { notifications: [{ fn: 'ingest', target: { fn: 'ingest' } }] } as never))).toMatch(/field "notifications\.0\.fn" = "ingest": a notification names where it goes with target: write target: \{ fn: "ingest" \}/);
  });
});
