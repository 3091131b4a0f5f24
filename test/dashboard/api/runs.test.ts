/** GET /api/app, the runs list (paged in the store, filtered), a run's detail, retry and bulk retry, cancel and bulk cancel, on real invocations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app as defineApp, fn } from '../../../src/index.ts';
import { startDashboard } from '../../../src/dashboard/server/index.ts';
import { openApp } from '../../../src/root/index.ts';
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

  it('POST /api/runs/:id/cancel stores a request on a running run (who and when); an ended run is a 409 saying how it ended; an unknown id a 404', async () => {
    // A run recorded as running (its process is not this one): the request is stored; that process acts on it.
    const live = await h.app.backend.runs.start({ fn: 'echo', trigger: 'queue:work' });
    const res = await h.post(`/api/runs/${live.id}/cancel`, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: live.id, status: 'running', cancelRequest: { at: expect.any(Number), by: 'dashboard' } });
    const detail = await h.get(`/api/runs/${live.id}`);
    expect(detail.body.run.cancelRequest).toEqual(res.body.cancelRequest);
    expect(await h.app.backend.runs.cancelRequests()).toEqual([{ runId: live.id, ...res.body.cancelRequest }]);
    // Asking again keeps the first request.
    expect((await h.post(`/api/runs/${live.id}/cancel`, {})).body.cancelRequest).toEqual(res.body.cancelRequest);
    const ended = await h.post(`/api/runs/${ids[1]}/cancel`, {});
    expect(ended.status).toBe(409);
    expect(ended.body.error).toEqual({ type: 'ConditionFailedError', message: expect.stringMatching(new RegExp(`Run "${ids[1]}" already ended ok`)) });
    const failedRun = await h.post(`/api/runs/${failed}/cancel`, {});
    expect([failedRun.status, failedRun.body.error.message]).toEqual([409, expect.stringMatching(/already ended error/)]);
    const missing = await h.post('/api/runs/no-such-run/cancel', {});
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'NotFoundError', message: expect.stringMatching(/Run "no-such-run" does not exist/) });
    // The same guard as every action: without X-Baton-Action, nothing is stored.
    const other = await h.app.backend.runs.start({ fn: 'echo', trigger: 'invoke' });
    const unguarded = await h.post(`/api/runs/${other.id}/cancel`, {}, {});
    expect(unguarded.status).toBe(403);
    expect((await h.app.backend.runs.get(other.id))?.cancelRequest).toBeUndefined();
    const foreign = await h.post(`/api/runs/${other.id}/cancel`, {}, { 'x-baton-action': '1', origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await h.app.backend.runs.get(other.id))?.cancelRequest).toBeUndefined();
    await h.app.backend.runs.finish(live.id, { status: 'cancelled', durationMs: 1, error: { type: 'Baton.Cancelled', message: 'stopped' } });
    await h.app.backend.runs.finish(other.id, { status: 'ok', durationMs: 1 });
    expect((await h.get('/api/runs?status=cancelled')).body.items.map((r: { id: string }) => r.id)).toEqual([live.id]);
  });

  it('POST /api/runs/cancel (and /api/runs/bulk with action cancel) asks for each id and reports each result', async () => {
    const a = await h.app.backend.runs.start({ fn: 'echo', trigger: 'invoke' });
    const b = await h.app.backend.runs.start({ fn: 'logs', trigger: 'invoke' });
    const res = await h.post('/api/runs/cancel', { ids: [a.id, ids[0], 'missing-run'] });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { id: a.id, ok: true, status: 'running' },
      { id: ids[0], ok: false, error: expect.stringMatching(/already ended ok/) },
      { id: 'missing-run', ok: false, error: expect.stringMatching(/does not exist/) },
    ]);
    const wrongAction = await h.post('/api/runs/cancel', { action: 'retry', ids: [b.id] });
    expect([wrongAction.status, wrongAction.body.error.message]).toEqual([400, expect.stringMatching(/action "retry" does not belong here/)]);
    expect((await h.app.backend.runs.get(b.id))?.cancelRequest).toBeUndefined();
    const viaBulk = await h.post('/api/runs/bulk', { action: 'cancel', ids: [b.id] });
    expect(viaBulk.body.results).toEqual([{ id: b.id, ok: true, status: 'running' }]);
    expect((await h.app.backend.runs.cancelRequests()).map((r) => r.runId).sort()).toEqual([a.id, b.id].sort());
    for (const bad of [{}, { ids: [] }, { ids: 'x' }, { ids: Array.from({ length: 101 }, (_, i) => `r${i}`) }]) {
      const r = await h.post('/api/runs/cancel', bad);
      expect(r.status, JSON.stringify(bad).slice(0, 40)).toBe(400);
      expect(r.body.error.type).toBe('ValidationError');
    }
    for (const r of [a, b]) await h.app.backend.runs.finish(r.id, { status: 'ok', durationMs: 1 });
  });
});

describe('dashboard API: cancelling a run the dashboard itself runs (a retry, with no engine)', { timeout: 60_000 }, () => {
  it('stops the retried run within about a second: cancelled, Baton.Cancelled by dashboard', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-dash-cancel-'));
    const spec = { ...defineApp('dash-cancel', [fn('stuck', './sleep.ts', { handler: 'spin', timeout: '5m' })]), root: fileURLToPath(new URL('../../fixtures/handlers/', import.meta.url)) };
    const app = await openApp(spec, { local: { dir } });
    const dash = await startDashboard(app, { port: 0 });
    try {
      const old = await app.backend.runs.start({ fn: 'stuck', trigger: 'invoke', input: { ms: 600_000 } });
      await app.backend.runs.finish(old.id, { status: 'error', durationMs: 1, error: { type: 'Error', message: 'first try' } });
      const post = (path: string) => fetch(`http://127.0.0.1:${dash.port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-baton-action': '1' }, body: '{}' });
      const { runId } = (await (await post(`/api/runs/${old.id}/retry`)).json()) as { runId: string };
      expect((await app.backend.runs.get(runId))?.status).toBe('running');
      expect((await post(`/api/runs/${runId}/cancel`)).status).toBe(200);
      let run = await app.backend.runs.get(runId);
      for (let i = 0; i < 200 && run?.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 25));
        run = await app.backend.runs.get(runId);
      }
      expect(run).toMatchObject({ status: 'cancelled', trigger: `retry:${old.id}`, error: { type: 'Baton.Cancelled', message: expect.stringMatching(/was cancelled by dashboard at .*; its worker was stopped/) } });
    } finally {
      await dash.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
