/** The queues screen's endpoints: numbers, history from the sampler, a DLQ's messages paged without receiving, redrive with a dry run first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

describe('dashboard API: queues', { timeout: 90_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // Five messages fail once each (maxReceiveCount 1): they sit in work-dlq with their error.
    const q = h.app.backend.queues;
    await q.sendBatch('work', ['a', 'b', 'c', 'poison-1', 'poison-2'].map((body) => ({ body })));
    for (const m of await q.receive('work', { maxMessages: 10 })) await q.release('work', m.receiptHandle, { error: new TypeError(`cannot handle ${m.body}`) });
    await q.send('work', { body: 'still waiting' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GET /api/queues: depth, in flight, delayed, oldest age and DLQ depth of each queue', async () => {
    const { status, body } = await h.get('/api/queues');
    expect(status).toBe(200);
    expect(body.items).toEqual([
      { name: 'work', depth: 1, inFlight: 0, delayed: 0, oldestAgeMs: expect.any(Number), dlq: 'work-dlq', dlqDepth: 5 },
      { name: 'work-dlq', depth: 5, inFlight: 0, delayed: 0, oldestAgeMs: expect.any(Number) },
    ]);
  });

  it('GET /api/queues/:name/history: points sampled every interval; 404 for an unknown queue', async () => {
    await new Promise((r) => setTimeout(r, 350));
    const { body } = await h.get('/api/queues/work-dlq/history');
    expect(body.points.length).toBeGreaterThanOrEqual(2);
    expect(body.points.at(-1)).toEqual({ t: expect.any(Number), depth: 5, inFlight: 0, oldestAgeMs: expect.any(Number) });
    const ts = body.points.map((p: { t: number }) => p.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    const missing = await h.get('/api/queues/nowhere/history');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/Queue "nowhere" is not declared.*work, work-dlq/);
  });

  it("GET /api/queues/:name/messages: a DLQ's messages with source, attempts and last error, paged, without receiving them", async () => {
    const first = await h.get('/api/queues/work-dlq/messages?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toEqual({ id: expect.any(String), body: 'a', bodyBytes: 1, attempts: 1, receiveCount: 1, state: 'visible', sentAt: expect.any(Number), source: 'work', lastError: { type: 'TypeError', message: 'cannot handle a', stack: expect.stringMatching(/TypeError: cannot handle a/) } });
    const bodies: string[] = first.body.items.map((m: { body: string }) => m.body);
    let next = first.body.next as string | null;
    while (next) {
      const page = await h.get(`/api/queues/work-dlq/messages?limit=2&cursor=${next}`);
      bodies.push(...page.body.items.map((m: { body: string }) => m.body));
      next = page.body.next;
    }
    expect(bodies).toEqual(['a', 'b', 'c', 'poison-1', 'poison-2']);
    // Listing received nothing: the DLQ still holds all five, visible.
    expect(await h.app.backend.queues.stats('work-dlq')).toMatchObject({ visible: 5, inFlight: 0 });
    expect((await h.get('/api/queues/work-dlq/messages?cursor=abc')).status).toBe(400);
    expect((await h.get('/api/queues/work-dlq/messages?limit=100000')).status).toBe(400);
    expect((await h.get('/api/queues/nope/messages')).status).toBe(404);
  });

  it('cuts a long body to 2 KiB in the listing and says how long it was', async () => {
    await h.app.backend.queues.send('work-dlq', { body: 'z'.repeat(5000) });
    const items = (await h.get('/api/queues/work-dlq/messages')).body.items;
    const long = items.find((m: { bodyBytes: number }) => m.bodyBytes === 5000);
    expect(long.body).toBe(`${'z'.repeat(2048)}…[truncated 2952 bytes]`);
    await h.app.backend.queues.purge('work-dlq');
    await h.app.backend.queues.sendBatch('work', ['a', 'b', 'c', 'poison-1', 'poison-2'].map((body) => ({ body })));
    const q = h.app.backend.queues;
    const got = await q.receive('work', { maxMessages: 10 });
    for (const m of got) {
      if (m.body === 'still waiting') await q.changeVisibility('work', m.receiptHandle, 0);
      else await q.release('work', m.receiptHandle, { error: new TypeError(`cannot handle ${m.body}`) });
    }
    expect((await q.stats('work-dlq')).visible).toBe(5);
  });

  it('POST /api/queues/:name/redrive: a dry run by filter moves nothing, then the real one moves exactly those', async () => {
    const dry = await h.post('/api/queues/work-dlq/redrive', { dryRun: true, contains: 'poison' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, dlq: 'work-dlq', count: 2 });
    expect(dry.body.ids).toHaveLength(2);
    expect((await h.app.backend.queues.stats('work-dlq')).visible).toBe(5);
    // By the source queue's name too, capped by max.
    const one = await h.post('/api/queues/work/redrive', { dryRun: true, max: 1 });
    expect(one.body).toMatchObject({ dryRun: true, dlq: 'work-dlq', count: 1 });
    const real = await h.post('/api/queues/work-dlq/redrive', { dryRun: false, contains: 'poison' });
    expect(real.body).toMatchObject({ dryRun: false, count: 2, ids: dry.body.ids });
    expect(await h.app.backend.queues.stats('work')).toMatchObject({ visible: 3, deadLettered: 3 });
    const left = (await h.get('/api/queues/work-dlq/messages')).body.items.map((m: { body: string }) => m.body);
    expect(left).toEqual(['a', 'b', 'c']);
  });

  it('POST /api/queues/:name/redrive refuses a malformed body and a queue with no DLQ', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /field "dryRun" must be true or false/],
      [{ dryRun: 'yes' }, /field "dryRun" must be true or false/],
      [{ dryRun: true, max: -1 }, /field "max" must be a whole number from 0/],
      [{ dryRun: true, contains: 42 }, /field "contains" must be a string/],
      [[1, 2], /the body must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await h.post('/api/queues/work-dlq/redrive', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await h.post('/api/queues/nope/redrive', { dryRun: true })).status).toBe(404);
  });
});
