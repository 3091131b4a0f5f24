/**
 * The lake endpoints on the aws backend: the catalog and the Parquet files in S3 (fauxqs), run
 * records in DynamoDB Local, the dashboard on 127.0.0.1. The same checks as the local lake test in
 * screens.test.ts: tables with totals, partitions, a query with bound parameters and the row cap,
 * DESCRIBE, the 400s; and reading the lake never creates anything (no catalog bucket made by a GET).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/data/catalog/index.ts';
import { startDashboard, type DashboardServer } from '../../../src/dashboard/server/index.ts';
import { app as defineApp, bucket } from '../../../src/index.ts';
import { openApp, type App } from '../../../src/root/index.ts';
import { FakeClock } from '../../../src/testing/fake-clock.ts';
import { putParquet } from '../../data/parquet.ts';
import { awsTestCredentials, awsTestEndpoints, awsTestRegion, dynamoSkipReason, freshPrefix } from '../../helpers/aws.ts';

const skip = dynamoSkipReason();

describe.skipIf(skip)(`dashboard API: the lake on aws (fauxqs S3 + DynamoDB Local)${skip ? `: skipped, ${skip}` : ''}`, { timeout: 120_000 }, () => {
  let app: App;
  let dash: DashboardServer;
  const prefix = freshPrefix();
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${dash.port}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dash.port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-baton-action': '1' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    const spec = defineApp('lake-aws', [bucket('lake')]);
    app = await openApp(spec, { backend: 'aws', clock: new FakeClock(Date.now()), aws: { region: awsTestRegion, credentials: awsTestCredentials, endpoints: awsTestEndpoints(), prefix } });
    await app.provision();
    dash = await startDashboard(app, { port: 0, sampleEveryMs: 100 });
  });
  afterAll(async () => {
    await dash?.close();
    await app?.close();
  });

  it('an app with no catalog yet: no tables, a 404 for partitions, and no catalog bucket made by reading', async () => {
    expect(await get('/api/lake/tables')).toEqual({ status: 200, body: { items: [] } });
    expect((await get('/api/lake/tables/events/partitions')).status).toBe(404);
    const { body } = await post('/api/lake/query', { sql: 'SELECT 42 AS answer' });
    expect(body).toMatchObject({ columns: ['answer'], rows: [[42]], truncated: false });
    expect((await app.backend.objects.list('baton-catalog').catch((err: Error) => err)) instanceof Error).toBe(true);
  });

  it('catalog tables with totals, partitions, a query with bound parameters, the row cap, DESCRIBE and the 400s', async () => {
    const objects = app.backend.objects;
    await putParquet(objects, 'lake', 'events/dt=2026-01-01/part-0.parquet', 0, 1500);
    await putParquet(objects, 'lake', 'events/dt=2026-01-02/part-0.parquet', 1500, 1600);
    const catalog = await Catalog.open(objects);
    await catalog.putTable({ name: 'events', location: { bucket: 'lake', prefix: 'events/' }, partitionKeys: ['dt'], columns: [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }] });
    await catalog.putPartition('events', { values: { dt: '2026-01-01' }, files: ['events/dt=2026-01-01/part-0.parquet'], rows: 1500, bytes: 1000, updatedAt: 1 });
    await catalog.putPartition('events', { values: { dt: '2026-01-02' }, files: ['events/dt=2026-01-02/part-0.parquet'], rows: 100, bytes: 200, updatedAt: 2 });

    const tables = await get('/api/lake/tables');
    expect(tables.status).toBe(200);
    expect(tables.body.items).toEqual([expect.objectContaining({ name: 'events', location: 'lake/events/', partitions: 2, rows: 1600, bytes: 1200, partitionKeys: ['dt'] })]);
    const parts = await get('/api/lake/tables/events/partitions');
    expect(parts.body.items.map((p: { key: string; rows: number; files: number }) => [p.key, p.rows, p.files])).toEqual([['dt=2026-01-01', 1500, 1], ['dt=2026-01-02', 100, 1]]);
    expect((await get('/api/lake/tables/nope/partitions')).status).toBe(404);

    const q = await post('/api/lake/query', { sql: 'SELECT id, amount, dt FROM events WHERE id >= ? ORDER BY id LIMIT 3', params: [1598] });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ columns: ['id', 'amount', 'dt'], rows: [[1598, 3196, '2026-01-02'], [1599, 3198, '2026-01-02']], truncated: false });
    // The catalog bucket is probed once per query (it was twice: the dashboard's probe, then Catalog.open's), then its tables listed.
    const listed: string[] = [];
    const list = objects.list.bind(objects);
    objects.list = (b, o) => {
      listed.push(`${b}/${o?.prefix ?? ''}${o?.maxKeys === 1 ? ' (probe)' : ''}`);
      return list(b, o);
    };
    const named = await post('/api/lake/query', { sql: 'SELECT count(*) AS n FROM events WHERE dt = $day', params: { day: '2026-01-01' } });
    objects.list = list;
    expect(named.body.rows).toEqual([[1500]]);
    expect(listed).toEqual([`${catalog.bucket}/ (probe)`, `${catalog.bucket}/${catalog.prefix}`, `${catalog.bucket}/${catalog.prefix}events/partitions/`]);
    const capped = await post('/api/lake/query', { sql: 'select id from events order by id;' });
    expect(capped.body.rows).toHaveLength(1000);
    expect(capped.body.truncated).toBe(true);
    const described = await post('/api/lake/query', { sql: 'DESCRIBE events' });
    expect(described.status).toBe(200);
    expect(described.body.rows.map((r: unknown[]) => r[0])).toEqual(expect.arrayContaining(['id', 'amount', 'name', 'dt']));

    for (const sql of ['DELETE FROM events', "SELECT * FROM read_parquet('s3://lake/events/*.parquet')", 'SELECT 1; SELECT 2']) {
      const res = await post('/api/lake/query', { sql });
      expect(res.status, sql).toBe(400);
      expect(res.body.error.type, sql).toBe('ValidationError');
    }
    const missing = await post('/api/lake/query', { sql: 'SELECT nope FROM nowhere' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/Tables: events/);
  });
});
