import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/core/errors.ts';
import { csvBatches, csvJsonBatches, csvToParquet } from '../../src/data/csv/index.ts';
import { inputBytes } from '../../src/data/gunzip.ts';
import { alikeLineBreaks } from '../../src/data/line-breaks.ts';
import { standardize } from '../../src/data/standardize/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

// A .gz upload cut short (or only its magic bytes) used to fail with zlib's bare "unexpected end of file".
const schema = z.object({ id: z.int(), name: z.string() });
const whole = gzipSync(Buffer.from(`id,name\n${Array.from({ length: 2000 }, (_, i) => `${i},name ${i * 7919}`).join('\n')}\n`));
const cases: Array<[string, Buffer]> = [
  ['only the two magic bytes', Buffer.from([0x1f, 0x8b])],
  ['cut in half', whole.subarray(0, Math.floor(whole.length / 2))],
];

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
});
afterEach(async () => t.close());

const refs = (key: string) => ({ source: { bucket: 'uploads', key }, schema, rejected: { bucket: 'uploads', key: `${key}.rej` } });

function expectNotWholeGzip(e: unknown, key: string): void {
  expect(e).toBeInstanceOf(ValidationError);
  const err = e as ValidationError;
  expect(err.message).toContain(`uploads/${key}`);
  expect(err.message).toMatch(/not a whole gzip/);
  expect(err.action).toMatch(/again/);
  expect((err.cause as { code?: string } | undefined)?.code).toMatch(/^Z_/);
}

describe('a truncated or corrupt gzip CSV', () => {
  it('is a whole file still read as before', async () => {
    await t.backend.objects.put('uploads', 'in/whole.csv.gz', whole);
    const r = await csvToParquet(t.backend.objects, { ...refs('in/whole.csv.gz'), output: { bucket: 'uploads', key: 'w.parquet' } });
    expect(r).toMatchObject({ read: 2000, valid: 2000, rejected: 0 });
  });

  for (const [name, body] of cases) {
    it(`${name}: csvToParquet rejects it with a ValidationError naming the file`, async () => {
      const key = `in/${name.replaceAll(' ', '-')}.csv.gz`;
      await t.backend.objects.put('uploads', key, body);
      const e = await csvToParquet(t.backend.objects, { ...refs(key), output: { bucket: 'uploads', key: 'o.parquet' } }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expectNotWholeGzip(e, key);
    });

    it(`${name}: csvBatches and csvJsonBatches reject it with a ValidationError naming the file`, async () => {
      const key = `in/${name.replaceAll(' ', '-')}.csv`;
      await t.backend.objects.put('uploads', key, body);
      for (const read of [csvBatches, csvJsonBatches]) {
        let caught: unknown;
        try {
          for await (const batch of read(t.backend.objects, refs(key))) expect(batch).toBeDefined();
        } catch (err) {
          caught = err;
        }
        expectNotWholeGzip(caught, key);
      }
    });
  }
});

describe('a truncated or corrupt gzip JSON-lines file', () => {
  const lines = gzipSync(Buffer.from(`${Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: i, name: `name ${i * 7919}` })).join('\n')}\n`));
  const jsonCases: Array<[string, Buffer]> = [
    ['only the two magic bytes', Buffer.from([0x1f, 0x8b])],
    ['cut in half', lines.subarray(0, Math.floor(lines.length / 2))],
  ];
  const json = (key: string) => ({ ...refs(key), output: { bucket: 'uploads', key: `${key}.parquet` } });

  it('is a whole file still read as before', async () => {
    await t.backend.objects.put('uploads', 'in/whole.jsonl.gz', lines);
    expect(await standardize(t.backend.objects, json('in/whole.jsonl.gz'))).toMatchObject({ read: 2000, valid: 2000, rejected: 0 });
  });

  // A half-cut file was read by DuckDB as the lines before the cut, with no error.
  for (const [name, body] of jsonCases) {
    it(`${name}: standardize rejects it with a ValidationError naming the file`, async () => {
      const key = `in/${name.replaceAll(' ', '-')}.jsonl.gz`;
      await t.backend.objects.put('uploads', key, body);
      expectNotWholeGzip(await standardize(t.backend.objects, json(key)).then(() => undefined, (e: unknown) => e), key);
    });
  }
});

describe('the other gunzip sites', () => {
  // csvToParquet checks the whole stream first, so these sites are reached only by other callers (standardize's line breaks).
  for (const [name, body] of cases) {
    it(`${name}: inputBytes and alikeLineBreaks reject it with the same ValidationError`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-gz-'));
      try {
        const path = join(dir, 'in.gz');
        writeFileSync(path, body);
        const read = async () => {
          for await (const chunk of inputBytes(path, true, 'uploads/in/x.csv.gz')) expect(chunk.length).toBeGreaterThan(0);
        };
        expectNotWholeGzip(await read().then(() => undefined, (e: unknown) => e), 'in/x.csv.gz');
        expectNotWholeGzip(await alikeLineBreaks(path, true, 'uploads/in/x.jsonl.gz', join(dir, 'out')).then(() => undefined, (e: unknown) => e), 'in/x.jsonl.gz');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
