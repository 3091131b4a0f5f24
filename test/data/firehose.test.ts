import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openLocal } from '../../src/backends/local/index.ts';
import { app } from '../../src/core/app.ts';
import { bucket } from '../../src/core/resources/bucket.ts';
import { firehose, type FirehoseOptions } from '../../src/core/resources/firehose.ts';
import { Firehose } from '../../src/data/firehose/index.ts';
import type { ObjectStore } from '../../src/ports/objects.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
});
afterEach(async () => t.close());

function hose(opts: Partial<FirehoseOptions> = {}, objects: ObjectStore = t.backend.objects): Firehose {
  return new Firehose({ objects, firehose: t.backend.firehose, clock: t.clock }, firehose('clicks', { destination: { bucket: 'lake', prefix: 'raw/' }, ...opts }).config);
}

async function records(prefix: string, objects: ObjectStore = t.backend.objects): Promise<Array<{ key: string; lines: string[] }>> {
  const out = [];
  for (const o of (await objects.list('lake', { prefix })).objects) {
    const body = (await objects.get('lake', o.key)).body;
    out.push({ key: o.key, lines: (o.key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8').split('\n').filter((l) => l !== '') });
  }
  return out;
}

describe('firehose', () => {
  it('is declared in an app with its options resolved, and must name a declared bucket', () => {
    const spec = app('lake', [bucket('lake-raw'), firehose('clicks', { destination: { bucket: 'lake-raw', prefix: 'raw/' }, buffer: { size: '1MiB', interval: '60s' } })]);
    expect(spec.firehoses).toEqual([{ name: 'clicks', bucket: 'lake-raw', prefix: 'raw/', errorPrefix: 'raw/errors/', bufferBytes: 1024 * 1024, bufferIntervalMs: 60_000, compression: 'gzip' }]);
    expect(() => app('lake', [firehose('clicks', { destination: { bucket: 'nope' } })])).toThrow(/firehose "clicks": field "destination.bucket" names bucket "nope", which is not declared/);
    expect(() => firehose('clicks', { destination: { bucket: 'lake-raw', prefix: 'raw' } })).toThrow(/field "destination.prefix" = "raw": a prefix is '' or ends with '\/'/);
  });

  it('refuses batches over the Firehose limits with clear errors and stores nothing', async () => {
    const h = hose();
    await expect(h.putRecordBatch(Array.from({ length: 501 }, () => 'x'))).rejects.toThrow(/got 501 records; the limit is 500 per call/);
    await expect(h.putRecordBatch(['ok', 'x'.repeat(1000 * 1024 + 1)])).rejects.toThrow(/Record 1 of the batch for firehose "clicks" is 1024001 bytes; the limit is 1024000 bytes \(1000\.0 KiB\) per record/);
    await expect(h.putRecordBatch(Array.from({ length: 5 }, () => 'x'.repeat(900 * 1024)))).rejects.toThrow(/exceeds 4194304 bytes \(4\.00 MiB\) at record 4/);
    await expect(h.putRecordBatch([])).rejects.toThrow(/needs 1 to 500 records/);
    expect(t.backend.firehose.stats('clicks').records).toBe(0);
    await h.close();
  });

  it('flushes on size into gzip JSON lines keyed by UTC arrival hour, and on close', async () => {
    await t.clock.set(Date.UTC(2026, 2, 4, 5, 6, 7));
    const h = hose({ buffer: { size: 2000 } });
    for (let i = 0; i < 10; i++) await h.putRecordBatch(Array.from({ length: 10 }, (_, j) => ({ n: i * 10 + j })));
    await h.flush();
    await h.putRecord('{"n":100}');
    await h.close();
    const objs = await records('raw/');
    expect(objs.length).toBeGreaterThan(1);
    expect(objs[0]!.key).toMatch(/^raw\/2026\/03\/04\/05\/clicks-2026-03-04-05-06-07-\d+\.jsonl\.gz$/);
    const ns = objs.flatMap((o) => o.lines.map((l) => (JSON.parse(l) as { n: number }).n)).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('flushes on the interval (clock port) and keeps hours apart', async () => {
    await t.clock.set(Date.UTC(2026, 0, 1, 9, 59, 40));
    const h = hose({ buffer: { interval: '60s' }, compression: 'none' });
    h.start();
    await h.putRecord({ a: 1 });
    await t.clock.advance(30_000);
    await h.putRecord({ a: 2 }); // 10:00:10 — another hour, another object
    expect(await records('raw/')).toEqual([]);
    await t.clock.advance(30_000); // the oldest record is 60 s old: the whole buffer goes
    for (let i = 0; i < 50 && (await records('raw/')).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await records('raw/')).map((o) => o.key)).toEqual([
      expect.stringMatching(/^raw\/2026\/01\/01\/09\/clicks-2026-01-01-09-59-40-\d+\.jsonl$/),
      expect.stringMatching(/^raw\/2026\/01\/01\/10\/clicks-2026-01-01-10-00-10-\d+\.jsonl$/),
    ]);
    await h.close();
  });

  it('sends records the schema refuses, and records it cannot deliver, to the error prefix with the reason', async () => {
    const h = hose({ schema: z.object({ n: z.number() }), compression: 'none' });
    const r = await h.putRecordBatch([{ n: 1 }, { n: 'two' }, 'not json']);
    expect(r.failedPutCount).toBe(0);
    expect(r.requestResponses.map((x) => x.error)).toEqual([undefined, expect.stringMatching(/^n: /), 'malformed JSON']);
    await h.close();
    expect((await records('raw/2026')).flatMap((o) => o.lines)).toEqual(['{"n":1}']);
    const errors = (await records('raw/errors/')).flatMap((o) => o.lines.map((l) => JSON.parse(l) as { reason: string; rawData: string }));
    expect(errors.map((e) => [e.reason.slice(0, 3), Buffer.from(e.rawData, 'base64').toString()])).toEqual([['n: ', '{"n":"two"}'], ['mal', 'not json']]);

    // A destination that refuses puts: after 3 attempts the records go to the error prefix.
    const refusing: ObjectStore = { ...t.backend.objects, list: t.backend.objects.list.bind(t.backend.objects), put: async (bucket, key, body, input) => {
      if (!key.includes('/errors/')) throw new Error('disk full');
      return t.backend.objects.put(bucket, key, body, input);
    } };
    const h2 = hose({ compression: 'none' }, refusing);
    await h2.putRecord({ z: 1 });
    await expect(h2.flush()).rejects.toThrow('disk full');
    await expect(h2.flush()).rejects.toThrow('disk full');
    expect(await h2.flush()).toBe(1);
    const failed = (await records('raw/errors/')).filter((o) => o.key.includes('-failed')).flatMap((o) => o.lines.map((l) => JSON.parse(l) as { reason: string; rawData: string }));
    expect(failed.at(-1)).toMatchObject({ reason: 'delivery to bucket "lake" failed 3 times: disk full', rawData: Buffer.from('{"z":1}').toString('base64') });
    expect(t.backend.firehose.stats('clicks').records).toBe(0);
    await h2.close();
  });

  it('loses no acknowledged record when the process is killed with SIGKILL', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/data/fixtures/firehose-child.ts'), t.dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        const m = /acked (\d+)\n(?![\s\S]*acked)/.exec(chunk.toString());
        if (m) acked = Math.max(acked, Number(m[1]));
        if (acked >= 3000) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });
    // A fresh process opens the same state and delivers what the killed one acknowledged.
    await t.backend.close();
    const backend = openLocal({ dir: t.dir, clock: t.clock, paramsKey: Buffer.alloc(32, 1) });
    t.backend = backend;
    const h = new Firehose(backend, firehose('clicks', { destination: { bucket: 'lake', prefix: 'raw/' } }).config);
    await h.close();
    const ns = (await records('raw/', backend.objects)).flatMap((o) => o.lines.map((l) => (JSON.parse(l) as { n: number }).n));
    expect(new Set(ns).size).toBe(ns.length);
    expect(ns.length).toBeGreaterThanOrEqual(acked);
    expect(Math.max(...ns)).toBe(ns.length - 1);
  });
});
