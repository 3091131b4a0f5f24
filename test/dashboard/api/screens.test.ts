/** Jobs, maps, schedules, params, tables and the lake: each endpoint, its 404 for an unknown id and its 400 for a malformed filter. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/data/catalog/index.ts';
import { putParquet } from '../../data/parquet.ts';
import { startHarness, type Harness } from './harness.ts';

const budget = { maxRelays: 10, maxFailures: 3 };

describe('dashboard API: jobs, maps, schedules, params, tables, lake', { timeout: 120_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('jobs: a page with a cursor, filtered by status; a job with its relays (its runs); cancel; 404s', async () => {
    const jobs = h.app.backend.jobs;
    for (let i = 0; i < 4; i++) await jobs.create({ id: `job-${i}`, fn: 'echo', input: { i }, executor: 'function', budget });
    // A relay of job-1 is a run with trigger job:<id> and attempt = relay.
    await h.app.invoke('echo', { i: 1 }, { trigger: 'job:job-1', attempt: 1 });
    await jobs.claim('job-1');
    const first = await h.get('/api/jobs?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items.map((j: { id: string }) => j.id)).toEqual(['job-3', 'job-2', 'job-1']);
    expect(first.body.items[2]).toMatchObject({ id: 'job-1', fn: 'echo', status: 'running', relays: 1, executor: 'function', startedAt: expect.any(Number), updatedAt: expect.any(Number) });
    const rest = await h.get(`/api/jobs?limit=3&cursor=${encodeURIComponent(first.body.next)}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: 'job-0' })], next: null });
    expect((await h.get('/api/jobs?status=running')).body.items.map((j: { id: string }) => j.id)).toEqual(['job-1']);
    expect((await h.get('/api/jobs?status=done')).status).toBe(400);
    expect((await h.get('/api/jobs?cursor=zzz')).status).toBe(400);
    const detail = await h.get('/api/jobs/job-1');
    expect(detail.body.job).toMatchObject({ id: 'job-1', status: 'running', input: { i: 1 } });
    expect(detail.body.relays).toEqual([{ n: 1, runId: expect.any(String), startedAt: expect.any(Number), endedAt: expect.any(Number), status: 'ok' }]);
    expect(detail.body.steps).toEqual([]);
    const cancelled = await h.post('/api/jobs/job-2/cancel', {});
    expect(cancelled.body).toEqual({ id: 'job-2', status: 'cancelled' });
    expect((await jobs.get('job-2'))?.status).toBe('cancelled');
    expect((await h.get('/api/jobs/none')).status).toBe(404);
    expect((await h.post('/api/jobs/none/cancel', {})).status).toBe(404);
  });

  it('maps: a page with ledger counts; a map with its failed items; redrive puts them back to pending; 404s', async () => {
    const maps = h.app.backend.jobs.maps;
    // A map of a function this app does not declare: redrive resets the ledger without resuming it here.
    for (const id of ['m-a', 'm-b']) {
      await maps.open({ id, fn: 'gone', options: { concurrency: 2 } });
      await maps.addItems(id, 0, ['"x"', '"y"', '"z"'], true);
      await maps.setStatus(id, 'running');
    }
    const taken = await maps.take('m-b', 3);
    await maps.complete('m-b', [
      { index: taken[0]!.index, status: 'succeeded', attempts: 1, resultJson: '1' },
      { index: taken[1]!.index, status: 'failed', attempts: 3, error: { name: 'TypeError', code: 'ERROR', message: 'bad y' } },
      { index: taken[2]!.index, status: 'failed', attempts: 3, error: { name: 'TypeError', code: 'ERROR', message: 'bad z' } },
    ]);
    await maps.setStatus('m-b', 'failed');
    const list = await h.get('/api/maps?limit=1');
    expect(list.body.items).toEqual([expect.objectContaining({ id: 'm-b', fn: 'gone', status: 'failed', total: 3, succeeded: 1, failed: 2, pending: 0, running: 0 })]);
    expect((await h.get(`/api/maps?limit=1&cursor=${encodeURIComponent(list.body.next)}`)).body.items[0]).toMatchObject({ id: 'm-a', pending: 3 });
    const detail = await h.get('/api/maps/m-b');
    expect(detail.body.counts).toEqual({ total: 3, pending: 0, running: 0, succeeded: 1, failed: 2 });
    expect(detail.body.failedItems).toEqual([
      { index: 1, item: 'y', attempts: 3, error: { type: 'TypeError', message: 'bad y' } },
      { index: 2, item: 'z', attempts: 3, error: { type: 'TypeError', message: 'bad z' } },
    ]);
    expect((await h.post('/api/maps/m-b/redrive', {})).body).toEqual({ id: 'm-b', redriven: 2 });
    expect(await maps.counts('m-b')).toMatchObject({ pending: 2, failed: 0 });
    expect((await h.get('/api/maps/none')).status).toBe(404);
    expect((await h.post('/api/maps/none/redrive', {})).status).toBe(404);
  });

  it('schedules: expression, time zone, target and the next three fire times', async () => {
    const { body } = await h.get('/api/schedules');
    expect(body.items).toHaveLength(1);
    const s = body.items[0];
    expect(s).toMatchObject({ name: 'nightly', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Paris', enabled: true, target: 'fn:echo' });
    expect(s.nextFires).toHaveLength(3);
    for (const t of s.nextFires) {
      expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(t)).toBe('02:00');
    }
    expect(s.nextFires[1] - s.nextFires[0]).toBeGreaterThanOrEqual(23 * 3_600_000);
    expect(s.lastTick).toBeUndefined();
  });

  it('params: paths, types and versions, SecureString values masked', async () => {
    await h.app.backend.params.put('/dash/plain', { value: 'changed', overwrite: true });
    const { body } = await h.get('/api/params');
    expect(body.items).toEqual([
      { path: '/dash/plain', type: 'String', version: 2, lastModified: expect.any(Number), value: 'changed' },
      { path: '/dash/secret', type: 'SecureString', version: 1, lastModified: expect.any(Number), value: '********' },
    ]);
    expect(JSON.stringify(body)).not.toContain('s3cr3t');
  });

  it("tables: keys and the stream's consumer lag; items by partition or scan, paged", async () => {
    const t = h.app.backend.tables;
    for (let i = 0; i < 5; i++) await t.put('orders', { customer: i < 3 ? 'ann' : 'bob', id: i, total: i * 10 });
    const { body } = await h.get('/api/tables');
    expect(body.items).toEqual([{ name: 'orders', partitionKey: 'customer', sortKey: 'id', stream: { viewType: 'NEW_AND_OLD_IMAGES', consumers: [{ fn: 'logs', consumer: 'fn:logs', lag: 5, lagCapped: false, position: expect.any(Number) }] } }]);
    const ann = await h.get('/api/tables/orders/items?pk=ann&limit=2');
    expect(ann.body.items.map((i: { id: number }) => i.id)).toEqual([0, 1]);
    const more = await h.get(`/api/tables/orders/items?pk=ann&limit=2&cursor=${ann.body.next}`);
    expect(more.body.items.map((i: { id: number }) => i.id)).toEqual([2]);
    const all: unknown[] = [];
    let next: string | null = null;
    do {
      const page: { body: { items: unknown[]; next: string | null } } = await h.get(`/api/tables/orders/items?limit=2${next ? `&cursor=${next}` : ''}`);
      all.push(...page.body.items);
      next = page.body.next;
    } while (next);
    expect(all).toHaveLength(5);
    expect((await h.get('/api/tables/nope/items')).status).toBe(404);
    const bad = await h.get('/api/tables/orders/items?cursor=%%%');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/\?cursor="%%%" is not one this endpoint handed out/);
  });

  it('lake: catalog tables with totals, partitions, a read-only query with bound parameters and a row cap', async () => {
    await h.app.backend.objects.declare({ name: 'lake', notifications: [] });
    await putParquet(h.app.backend.objects, 'lake', 'events/dt=2026-01-01/part-0.parquet', 0, 1500);
    await putParquet(h.app.backend.objects, 'lake', 'events/dt=2026-01-02/part-0.parquet', 1500, 1600);
    const catalog = await Catalog.open(h.app.backend.objects);
    await catalog.putTable({ name: 'events', location: { bucket: 'lake', prefix: 'events/' }, partitionKeys: ['dt'], columns: [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }] });
    await catalog.putPartition('events', { values: { dt: '2026-01-01' }, files: ['events/dt=2026-01-01/part-0.parquet'], rows: 1500, bytes: 1000, updatedAt: 1 });
    await catalog.putPartition('events', { values: { dt: '2026-01-02' }, files: ['events/dt=2026-01-02/part-0.parquet'], rows: 100, bytes: 200, updatedAt: 2 });
    const tables = await h.get('/api/lake/tables');
    expect(tables.body.items).toEqual([expect.objectContaining({ name: 'events', partitions: 2, rows: 1600, bytes: 1200, partitionKeys: ['dt'] })]);
    const parts = await h.get('/api/lake/tables/events/partitions');
    expect(parts.body.items.map((p: { key: string; rows: number }) => [p.key, p.rows])).toEqual([['dt=2026-01-01', 1500], ['dt=2026-01-02', 100]]);
    expect((await h.get('/api/lake/tables/nope/partitions')).status).toBe(404);
    const q = await h.post('/api/lake/query', { sql: 'SELECT id, amount FROM events WHERE id >= ? ORDER BY id LIMIT 3', params: [1598] });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ columns: ['id', 'amount'], rows: [[1598, 3196], [1599, 3198]], truncated: false, ms: expect.any(Number) });
    const capped = await h.post('/api/lake/query', { sql: 'select id from events order by id;' });
    expect(capped.body.rows).toHaveLength(1000);
    expect(capped.body.truncated).toBe(true);
    const described = await h.post('/api/lake/query', { sql: 'DESCRIBE events' });
    expect(described.status).toBe(200);
    expect(described.body.rows.map((r: unknown[]) => r[0])).toEqual(expect.arrayContaining(['id', 'amount', 'name', 'dt']));
  });

  it('lake: a query that writes, reads files directly, or holds two statements is a 400 saying why', async () => {
    const cases: Array<[string, RegExp]> = [
      ['DELETE FROM events', /starts with DELETE.*read-only/],
      ['CREATE TABLE t AS SELECT 1', /starts with CREATE/],
      ["COPY events TO '/tmp/out.csv'", /starts with COPY/],
      ['SELECT 1; DROP TABLE events', /more than one statement/],
      ['WITH x AS (SELECT 1) INSERT INTO events SELECT * FROM x', /uses INSERT/],
      ["SELECT * FROM read_csv('/etc/passwd')", /calls read_csv\(\), which reads files directly/],
      ["SELECT * FROM '/etc/passwd'", /quoted path after FROM/],
      ["ATTACH '/tmp/x.db' AS x", /starts with ATTACH/],
      ['SET threads = 1', /starts with SET/],
      ['', /field "sql" is required|is empty/],
    ];
    for (const [sql, message] of cases) {
      const res = await h.post('/api/lake/query', { sql });
      expect(res.status, sql).toBe(400);
      expect(res.body.error.type, sql).toBe('ValidationError');
      expect(res.body.error.message, sql).toMatch(message);
    }
    // A keyword inside a string literal or comment is only text.
    const ok = await h.post('/api/lake/query', { sql: "SELECT 'delete; drop' AS note -- update\n" });
    expect(ok.status).toBe(200);
    expect(ok.body.rows).toEqual([['delete; drop']]);
    expect((await h.post('/api/lake/query', { sql: 'SELECT 1', params: 'x' })).status).toBe(400);
    expect((await h.post('/api/lake/query', { sql: 'SELECT nope FROM nowhere' })).status).toBe(400);
  });
});
