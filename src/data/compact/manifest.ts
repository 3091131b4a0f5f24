import { NotFoundError } from '../../core/errors.ts';
import type { ObjectStore } from '../../ports/objects.ts';

/** A compacted hour's durable record: its current files and every source file they contain. */
export interface Manifest {
  version: 1;
  /** The hour's start, UTC ms. */
  hour: number;
  /** Bumped by each commit; data file names carry it, so a new generation never overwrites the current one. */
  generation: number;
  files: string[];
  /** Source files (key and etag) merged into `files`; a source is merged once. */
  sources: Array<{ key: string; etag: string }>;
  rows: number;
  bytes: number;
  committedAt: number;
}

export async function readManifest(objects: ObjectStore, bucket: string, key: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse((await objects.get(bucket, key)).body.toString('utf8')) as Manifest;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The commit point of a compaction: one atomic put. */
export async function writeManifest(objects: ObjectStore, bucket: string, key: string, m: Manifest): Promise<void> {
  await objects.put(bucket, key, JSON.stringify(m), { contentType: 'application/json' });
}
