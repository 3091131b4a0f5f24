import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { app, bucket, firehose } from '../../src/index.ts';
import { startIngestion } from '../../src/data/firehose/ingestion.ts';
import { provision } from '../../src/runtime/provision.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend | undefined;
afterEach(async () => t?.close());

describe('startIngestion (what baton dev mounts)', () => {
  it('accepts records over HTTP on 127.0.0.1 and flushes them to the bucket on close', async () => {
    t = makeLocalBackend();
    const spec = app('ingest', [bucket('raw-events'), firehose('clicks', { destination: { bucket: 'raw-events', prefix: 'clicks/' }, buffer: { size: '1MiB', interval: '15m' }, compression: 'gzip' })]);
    await provision(t.backend, spec);
    const ingestion = await startIngestion(t.backend, spec);
    expect(ingestion.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${ingestion.url}/firehose/clicks`, { method: 'POST', body: JSON.stringify({ records: [{ a: 1 }, { a: 2 }] }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { failedPutCount: number }).failedPutCount).toBe(0);
    await ingestion.close();
    const { objects } = await t.backend.objects.list('raw-events', { prefix: 'clicks/' });
    expect(objects).toHaveLength(1);
    const lines = gunzipSync((await t.backend.objects.get('raw-events', objects[0]!.key)).body).toString('utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('serves nothing for an app without firehoses', async () => {
    t = makeLocalBackend();
    const ingestion = await startIngestion(t.backend, app('none', []));
    expect(ingestion.url).toBeUndefined();
    await ingestion.close();
  });
});
