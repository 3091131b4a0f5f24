/**
 * The pointer to a map's source, recorded in the map record's options (`sourceRef`) when the map
 * starts, so a map killed while reading its source resumes without being handed it again:
 *   { bucket, prefix }                    as given (the objects are listed again, in key order)
 *   { bucket, key, format }               as given (the rows are read again from the start)
 *   an array, as JSON up to inlineBytes   { items: [...] } inline in the record
 *   a larger array                        written once as JSON lines to <bucket>/<prefix>source.jsonl,
 *                                         then { bucket, key, format: 'jsonl' }
 *   an async iterable                     nothing: it cannot be read again without its caller
 */
import type { ObjectStore } from '../../ports/objects.ts';
import type { ResolvedMapOptions } from './options.ts';
import type { MapSource } from './sources.ts';

export type SourceRef = { bucket: string; prefix: string } | { bucket: string; key: string; format: 'csv' | 'jsonl' | 'parquet' } | { items: unknown[] };

/** Arrays up to this much JSON are recorded inline. */
export const inlineBytes = 64 * 1024;

export async function recordSource(objects: ObjectStore, source: MapSource, o: Pick<ResolvedMapOptions, 'bucket' | 'prefix'>): Promise<SourceRef | undefined> {
  if (Array.isArray(source)) {
    const lines = source.map((item: unknown) => JSON.stringify(item ?? null));
    const size = lines.reduce((n, l) => n + l.length + 1, 0);
    if (size <= inlineBytes) return { items: lines.map((l) => JSON.parse(l) as unknown) };
    const key = `${o.prefix}source.jsonl`;
    await objects.declare({ name: o.bucket, notifications: [] });
    await objects.put(o.bucket, key, lines.join('\n') + '\n', { contentType: 'application/x-ndjson' });
    return { bucket: o.bucket, key, format: 'jsonl' };
  }
  if (typeof source !== 'object' || source === null || Symbol.asyncIterator in source) return undefined;
  const s = source as { bucket?: unknown; prefix?: unknown; key?: unknown; format?: unknown };
  if (typeof s.bucket === 'string' && typeof s.prefix === 'string') return { bucket: s.bucket, prefix: s.prefix };
  if (typeof s.bucket === 'string' && typeof s.key === 'string' && (s.format === 'csv' || s.format === 'jsonl' || s.format === 'parquet')) return { bucket: s.bucket, key: s.key, format: s.format };
  return undefined;
}

/** The source a map record's options point to, or undefined when none was recorded. */
export function sourceOf(options: unknown): MapSource | undefined {
  const ref = (options as { sourceRef?: SourceRef } | undefined)?.sourceRef;
  if (!ref) return undefined;
  return 'items' in ref ? ref.items : ref;
}
