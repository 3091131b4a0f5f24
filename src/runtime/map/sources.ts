/**
 * Where a map's items come from, read in order so a resumed map can skip what its ledger already
 * holds:
 *   an array                                      the elements
 *   an async iterable                             what it yields (it must yield the same items in
 *                                                 the same order when the map resumes)
 *   { bucket, prefix }                            every object under the prefix, as
 *                                                 { bucket, key, size, etag }, listed page by page
 *   { bucket, key, format: 'csv' | 'jsonl' }      the object's rows, streamed line by line: CSV rows
 *                                                 as objects keyed by the header, JSON lines parsed
 *   { bucket, key, format: 'parquet' }            the file's rows, read with DuckDB in batches
 */
import { createInterface } from 'node:readline';
import { ValidationError, show } from '../../core/errors.ts';
import type { ObjectStore } from '../../ports/objects.ts';
import { defaults } from '../../core/defaults.ts';
import { splitCsvLine } from './csv.ts';
import { readParquetRows } from './parquet.ts';

export type MapSource =
  | readonly unknown[]
  | AsyncIterable<unknown>
  | { bucket: string; prefix: string }
  | { bucket: string; key: string; format: 'csv' | 'jsonl' | 'parquet' };

export function describeSource(source: MapSource): string {
  if (Array.isArray(source)) return `array of ${source.length}`;
  if (Symbol.asyncIterator in (source as object)) return 'async iterable';
  const s = source as { bucket: string; prefix?: string; key?: string; format?: string };
  return s.prefix !== undefined ? `objects ${s.bucket}/${s.prefix}*` : `${s.format} rows of ${s.bucket}/${s.key}`;
}

export async function* readSource(source: MapSource, objects: ObjectStore, skip: number): AsyncGenerator<unknown> {
  if (Array.isArray(source)) {
    for (let i = skip; i < source.length; i++) yield source[i];
    return;
  }
  let n = 0;
  if (typeof source === 'object' && source !== null && Symbol.asyncIterator in source) {
    for await (const item of source as AsyncIterable<unknown>) if (n++ >= skip) yield item;
    return;
  }
  const s = source as { bucket?: unknown; prefix?: unknown; key?: unknown; format?: unknown };
  if (typeof s.bucket === 'string' && typeof s.prefix === 'string') {
    let token: string | undefined;
    do {
      const page = await objects.list(s.bucket, { prefix: s.prefix, ...(token ? { continuationToken: token } : {}) });
      for (const o of page.objects) if (n++ >= skip) yield { bucket: o.bucket, key: o.key, size: o.size, etag: o.etag };
      token = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (token);
    return;
  }
  if (typeof s.bucket === 'string' && typeof s.key === 'string' && s.format === 'parquet') {
    yield* readParquetRows(objects, s.bucket, s.key, skip, defaults.map.readBatch);
    return;
  }
  if (typeof s.bucket === 'string' && typeof s.key === 'string' && (s.format === 'csv' || s.format === 'jsonl')) {
    yield* readRows(objects, s.bucket, s.key, s.format, skip);
    return;
  }
  throw new ValidationError(`map: the source ${show(source)} is not one map understands.`, { action: "Pass an array, an async iterable, { bucket, prefix }, or { bucket, key, format: 'csv' | 'jsonl' | 'parquet' }." });
}

async function* readRows(objects: ObjectStore, bucket: string, key: string, format: 'csv' | 'jsonl', skip: number): AsyncGenerator<unknown> {
  const { body } = await objects.getStream(bucket, key);
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let header: string[] | undefined;
  let line = 0;
  let row = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const where = `map source ${bucket}/${key} line ${line}`;
    if (format === 'csv' && !header) {
      header = splitCsvLine(text, where);
      continue;
    }
    if (row++ < skip) continue;
    if (format === 'jsonl') {
      try {
        yield JSON.parse(text) as unknown;
      } catch (err) {
        throw new ValidationError(`${where} is not valid JSON (${(err as Error).message}).`, { action: 'Fix or remove the line, then start the map again: rows already loaded are kept.' });
      }
    } else {
      const cells = splitCsvLine(text, where);
      yield Object.fromEntries((header ?? []).map((h, i) => [h, cells[i] ?? '']));
    }
  }
}
