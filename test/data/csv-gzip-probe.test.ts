import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { csvBatches, csvToParquet } from '../../src/data/csv/index.ts';
import { isGzip } from '../../src/data/files.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

// A CSV's gzip magic bytes are looked at once per read: each step (the header, the reader, the
// line numbering, the repair) once opened the file to look again, 4-5 times a read.
vi.mock('../../src/data/files.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/data/files.ts')>();
  return { ...m, isGzip: vi.fn(m.isGzip) };
});

const schema = z.object({ id: z.int(), name: z.string(), amount: z.number() });

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
  vi.mocked(isGzip).mockClear();
});
afterEach(async () => t.close());

describe('the gzip probe of a CSV', () => {
  // CRLF line breaks and a rejected row: the read takes every step that needs to know (header, reader, numbering).
  const body = gzipSync('id,name,amount\r\n1,a,1.5\r\n2,b,x\r\n3,c,2\r\n');

  it('looks once in csvToParquet, and reads the gzip file as before', async () => {
    await t.backend.objects.put('uploads', 'in/g.csv.gz', body);
    const r = await csvToParquet(t.backend.objects, { source: { bucket: 'uploads', key: 'in/g.csv.gz' }, schema, output: { bucket: 'uploads', key: 'g.parquet' }, rejected: { bucket: 'uploads', key: 'g.jsonl' } });
    expect(r).toMatchObject({ read: 3, valid: 2, rejected: 1 });
    expect(JSON.parse((await t.backend.objects.get('uploads', 'g.jsonl')).body.toString('utf8').trim())).toMatchObject({ line: 3, reasons: ['amount: expected a number, got "x"'] });
    expect(isGzip).toHaveBeenCalledTimes(1);
  });

  it('looks once in csvBatches, gzipped or not', async () => {
    await t.backend.objects.put('uploads', 'in/g.csv.gz', body);
    await t.backend.objects.put('uploads', 'in/p.csv', 'id,name,amount\n1,a,1.5\n2,b,x\n3,c,2\n');
    for (const key of ['in/g.csv.gz', 'in/p.csv']) {
      vi.mocked(isGzip).mockClear();
      const ids: unknown[] = [];
      for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key }, schema, rejected: { bucket: 'uploads', key: `${key}.rej` } })) ids.push(...batch.map((r) => r['id']));
      expect(ids).toEqual([1, 3]);
      expect(JSON.parse((await t.backend.objects.get('uploads', `${key}.rej`)).body.toString('utf8').trim())).toMatchObject({ line: 3 });
      expect(isGzip).toHaveBeenCalledTimes(1);
    }
  });
});
