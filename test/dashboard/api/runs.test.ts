/** GET /api/app, the runs list (paged in the store, filtered), a run's detail, retry and bulk retry, on real invocations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

describe('dashboard API: app and runs', { timeout: 90_000 }, () => {
  let h: Harness;
  const ids: string[] = [];
  let failed: string;
  beforeAll(async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) ids.push((await h.app.invoke('echo', { n: i })).runId);
    failed = (await h.app.invoke('throws', { kind: 'type' })).runId;
    await h.app.invoke('logs', { tag: 'x' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GET /api/app: the graph with its edges and live counts', async () => {
    await h.app.backend.queues.send('work', { body: 'waiting' });
    const { status, body } = await h.get('/api/app');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'dash', backend: 'local' });
    const node = (id: string) => body.nodes.find((n: { id: string }) => n.id === id);
    expect(body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['bucket:uploads', 'fn:echo', 'fn:logs', 'fn:throws', 'params:/dash', 'queue:work', 'queue:work-dlq', 'schedule:nightly', 'table:orders']);
    expect(node('queue:work').counts).toMatchObject({ depth: 1, inFlight: 0, dlqDepth: 0 });
    expect(node('fn:echo').counts).toEqual({ runsPerMinute: 5, errors: 0, running: 0 });
    expect(node('fn:throws').counts).toEqual({ runsPerMinute: 1, errors: 1, running: 0 });
    expect(node('schedule:nightly').detail).toBe('cron(0 2 * * ? *) (Europe/Paris)');
    expect(body.edges).toEqual(
      expect.arrayContaining([
        { from: 'bucket:uploads', to: 'queue:work', kind: 'notification' },
        { from: 'queue:work', to: 'queue:work-dlq', kind: 'dlq' },
        { from: 'queue:work', to: 'fn:echo', kind: 'trigger' },
        { from: 'table:orders', to: 'fn:logs', kind: 'trigger' },
        { from: 'schedule:nightly', to: 'fn:echo', kind: 'target' },
      ]),
    );
    expect(body.edges).toHaveLength(5);
    await h.app.backend.queues.purge('work');
  });

  it('GET /api/runs: newest first, paged by cursor, filtered by fn, status, trigger and time', async () => {
    const first = await h.get('/api/runs?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { fn: string }) => r.fn)).toEqual(['logs', 'throws', 'echo']);
    expect(first.body.items[1]).toMatchObject({ id: failed, fn: 'throws', trigger: 'invoke', attempt: 1, status: 'error', errorType: 'TypeError', errorMessage: 'bad type' });
    const all: string[] = first.body.items.map((r: { id: string }) => r.id);
    let next = first.body.next as string | null;
    while (next) {
      const page = await h.get(`/api/runs?limit=3&cursor=${encodeURIComponent(next)}`);
      all.push(...page.body.items.map((r: { id: string }) => r.id));
      next = page.body.next;
    }
    expect(all).toHaveLength(7);
    expect(all.slice(2)).toEqual([...ids].reverse());
    expect((await h.get('/api/runs?fn=echo')).body.items).toHaveLength(5);
    expect((await h.get('/api/runs?status=error')).body.items.map((r: { id: string }) => r.id)).toEqual([failed]);
    expect((await h.get('/api/runs?trigger=invoke&fn=logs')).body.items).toHaveLength(1);
    const t = (await h.app.backend.runs.get(ids[2]!))!.startedAt;
    const windowed = (await h.get(`/api/runs?fn=echo&since=${t}&until=${new Date(t + 60_000).toISOString()}`)).body.items;
    expect(windowed.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([ids[2], ids[3], ids[4]]));
    expect((await h.get(`/api/runs?until=${t - 60_000}`)).body.items).toEqual([]);
  });

  it('GET /api/runs refuses malformed filters with a 400 naming the parameter and the fix', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/runs?status=done', /\?status="done" is not one of running, ok, error, timeout/],
      ['/api/runs?limit=0', /\?limit="0" must be a whole number from 1 to 500/],
      ['/api/runs?limit=501', /from 1 to 500/],
      ['/api/runs?limit=ten', /\?limit="ten"/],
      ['/api/runs?since=yesterday', /\?since="yesterday" is not a time.*epoch milliseconds/],
      ['/api/runs?since=2000&until=1000', /\?since \(2000\) must be before \?until \(1000\)/],
      ['/api/runs?cursor=forged', /cursor "forged" is not one this store handed out/],
    ];
    for (const [path, message] of cases) {
      const res = await h.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.type, path).toBe('ValidationError');
      expect(res.body.error.message, path).toMatch(message);
    }
  });

  it("GET /api/runs/:id: the run with its input, error and stack, and its log lines; 404 for an unknown id", async () => {
    const bad = await h.get(`/api/runs/${failed}`);
    expect(bad.status).toBe(200);
    expect(bad.body.run).toMatchObject({ id: failed, fn: 'throws', status: 'error', input: '{"kind":"type"}', error: { type: 'TypeError', message: 'bad type' } });
    expect(bad.body.run.error.stack).toMatch(/TypeError: bad type/);
    const logged = (await h.get('/api/runs?fn=logs')).body.items[0].id as string;
    const detail = await h.get(`/api/runs/${logged}`);
    expect(detail.body.logs.map((l: { message: string }) => l.message)).toEqual(expect.arrayContaining(['start x', 'careful']));
    expect(detail.body.logs[0]).toEqual({ time: expect.any(Number), level: expect.any(String), message: expect.any(String) });
    const missing = await h.get('/api/runs/no-such-run');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'NotFoundError', message: expect.stringMatching(/Run "no-such-run" does not exist/) });
  });

  it('POST /api/runs/:id/retry re-invokes with the stored input as a new run; a cut input is a 400', async () => {
    const res = await h.post(`/api/runs/${failed}/retry`, {});
    expect(res.status).toBe(200);
    const runId = res.body.runId as string;
    let run = await h.app.backend.runs.get(runId);
    for (let i = 0; i < 100 && run?.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = await h.app.backend.runs.get(runId);
    }
    expect(run).toMatchObject({ fn: 'throws', trigger: `retry:${failed}`, attempt: 2, status: 'error', input: '{"kind":"type"}' });
    const big = await h.app.invoke('echo', { blob: 'y'.repeat(5000) });
    const cut = await h.post(`/api/runs/${big.runId}/retry`, {});
    expect(cut.status).toBe(400);
    expect(cut.body.error.message).toMatch(/stored input was cut to a summary/);
    expect((await h.post('/api/runs/no-such-run/retry', {})).status).toBe(404);
  });

  it('POST /api/runs/bulk retries each id and reports each result', async () => {
    const res = await h.post('/api/runs/bulk', { action: 'retry', ids: [ids[0], 'missing-run'] });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { id: ids[0], ok: true, runId: expect.any(String) },
      { id: 'missing-run', ok: false, error: expect.stringMatching(/does not exist/) },
    ]);
    const bad = await h.post('/api/runs/bulk', { action: 'delete', ids: [ids[0]] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/action "delete" is not supported/);
    expect((await h.post('/api/runs/bulk', { action: 'retry', ids: [] })).status).toBe(400);
  });
});
