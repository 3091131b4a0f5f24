/**
 * Who may talk to the dashboard: the Host check (DNS rebinding), the token beyond loopback
 * (exercised on 127.0.0.1 with publicBind), the CSRF header and Origin check on actions, unknown
 * paths and methods, and the page's files (served without the token, no path traversal).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

/** A raw request with any Host header (fetch will not let a test forge one). */
function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard security on loopback', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers only requests whose Host is its own address (localhost and 127.0.0.1 on loopback)', async () => {
    const port = h.dash.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) expect((await raw(port, '/api/app', { host })).status).toBe(200);
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `attacker.localhost.example.com:${port}`]) {
      const res = await raw(port, '/api/app', { host });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body).error.type).toBe('ForbiddenHost');
    }
    // The page itself is refused too: a rebinding page cannot load it under its own name.
    expect((await raw(port, '/', { host: `evil.example:${port}` })).status).toBe(403);
  });

  it('needs no token on loopback', async () => {
    expect(h.dash.token).toBeUndefined();
    expect(h.dash.url).toBe(`http://127.0.0.1:${h.dash.port}/`);
    expect((await h.get('/api/runs')).status).toBe(200);
  });

  it('refuses an action without X-Baton-Action, and one from another Origin', async () => {
    const noHeader = await h.post('/api/queues/work-dlq/redrive', { dryRun: true }, {});
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error).toMatchObject({ type: 'ActionHeaderRequired' });
    expect(noHeader.body.error.message).toMatch(/X-Baton-Action: 1/);
    const wrongValue = await h.post('/api/queues/work-dlq/redrive', { dryRun: true }, { 'x-baton-action': 'yes' });
    expect(wrongValue.status).toBe(403);
    for (const origin of ['http://evil.example', `http://127.0.0.1:${h.dash.port + 1}`, 'null', `https://127.0.0.1:${h.dash.port}`]) {
      const res = await raw(h.dash.port, '/api/queues/work-dlq/redrive', { host: `127.0.0.1:${h.dash.port}`, origin, 'x-baton-action': '1', 'content-type': 'application/json' }, 'POST', '{"dryRun":true}');
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).error.type).toBe('ForbiddenOrigin');
    }
    // Its own origin (by either loopback name), or none (a script), is accepted.
    for (const origin of [`http://127.0.0.1:${h.dash.port}`, `http://localhost:${h.dash.port}`]) {
      expect((await h.post('/api/queues/work-dlq/redrive', { dryRun: true }, { 'x-baton-action': '1', origin })).status).toBe(200);
    }
    expect((await h.post('/api/queues/work-dlq/redrive', { dryRun: true })).status).toBe(200);
  });

  it('an unknown endpoint is a 404, a known one by the wrong method a 405 with Allow, a body that is not JSON a 400', async () => {
    const unknown = await h.get('/api/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.type).toBe('NotFoundError');
    const res = await fetch(h.url('/api/runs'), { method: 'POST', headers: { 'x-baton-action': '1' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    const get = await h.get('/api/queues/work-dlq/redrive');
    expect(get.status).toBe(405);
    const bad = await fetch(h.url('/api/lake/query'), { method: 'POST', headers: { 'x-baton-action': '1', 'content-type': 'application/json' }, body: '{"sql": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not JSON/);
  });

  it("serves the page, its assets and the allowed vendor files, nothing else on disk", async () => {
    const page = await fetch(h.url('/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    const preact = await fetch(h.url('/vendor/preact/dist/preact.mjs'));
    expect(preact.status).toBe(200);
    expect(preact.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(h.url('/vendor/uplot/dist/uPlot.min.css'))).status).toBe(200);
    for (const path of ['/vendor/preact/package.json', '/vendor/zod/index.js', '/vendor/preact/%2e%2e/%2e%2e/package.json', '/vendor/preact/..%2F..%2Fpackage.json', '/assets/..%2F..%2F..%2Fpackage.json', '/assets/%2e%2e/server/index.ts', '/assets/.hidden', '/etc/passwd']) {
      expect((await raw(h.dash.port, path, { host: `127.0.0.1:${h.dash.port}` })).status, path).toBe(404);
    }
  });
});

describe('dashboard security beyond loopback (publicBind)', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ publicBind: true, env: {} });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('generates a token, puts it in the URL, and refuses API requests without it', async () => {
    const token = h.dash.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    expect(h.dash.url).toBe(`http://127.0.0.1:${h.dash.port}/?token=${token}`);
    const none = await h.get('/api/app');
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({ type: 'TokenRequired' });
    expect(none.body.error.message).toMatch(/Authorization: Bearer/);
    expect((await h.get('/api/app', { authorization: 'Bearer wrong' })).status).toBe(403);
    expect((await h.get(`/api/app?token=${token}x`)).status).toBe(403);
    expect((await h.get('/api/app', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await h.get(`/api/runs?token=${encodeURIComponent(token)}`)).status).toBe(200);
    // Actions need the token as well as the header.
    expect((await h.post('/api/queues/work-dlq/redrive', { dryRun: true })).status).toBe(403);
    expect((await h.post('/api/queues/work-dlq/redrive', { dryRun: true }, { 'x-baton-action': '1', authorization: `Bearer ${token}` })).status).toBe(200);
    // The page's files hold no data and load without it (a module import cannot send a header).
    expect((await fetch(h.url('/'))).status).toBe(200);
  });

  it('the event stream takes the token in its URL', async () => {
    expect((await fetch(h.url('/api/events'))).status).toBe(403);
    const ctl = new AbortController();
    const res = await fetch(h.url(`/api/events?token=${h.dash.token!}`), { signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    ctl.abort();
  });

  it('takes the token from BATON_DASHBOARD_TOKEN', async () => {
    const other = await startHarness({ publicBind: true, env: { BATON_DASHBOARD_TOKEN: 'from-env-0123456789' } });
    try {
      expect(other.dash.token).toBe('from-env-0123456789');
      expect((await other.get('/api/app', { authorization: 'Bearer from-env-0123456789' })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
