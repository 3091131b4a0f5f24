/**
 * Moving objects in and out of DuckDB. DuckDB reads files, so an object is read in place through
 * the store's `localPath` when the backend has one (the local backend), and otherwise copied to a
 * temp file first. Outputs are written to a temp file and then put as an object, so the object
 * store's atomic write and its events apply to them like any other object.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectHead, ObjectStore } from '../ports/objects.ts';

export interface ObjectRef {
  bucket: string;
  key: string;
}

/** A scratch folder removed by `dispose`. */
export interface Scratch {
  dir: string;
  dispose(): Promise<void>;
}

export async function scratch(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-data-'));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** The path DuckDB should read for an object: its own file when the store has one, else a temp copy in `dir`. */
export async function inputPath(objects: ObjectStore, ref: ObjectRef, dir: string, n = 0): Promise<string> {
  const local = objects.localPath?.(ref.bucket, ref.key);
  if (local !== undefined) {
    await objects.head(ref.bucket, ref.key); // the row is the truth for existence: NotFoundError names the key
    return local;
  }
  const { body } = await objects.getStream(ref.bucket, ref.key);
  // The copy keeps the key's folders (dt=…/hour=…/) so DuckDB still sees hive partitions; keys
  // are validated by the store (no '..'), so the path stays inside `dir`.
  const path = join(dir, `in-${n}`, ref.key);
  await mkdir(dirname(path), { recursive: true });
  await pipeline(body, createWriteStream(path));
  return path;
}

/** Puts a finished file as an object. */
export async function putFile(objects: ObjectStore, ref: ObjectRef, path: string, contentType: string): Promise<ObjectHead> {
  return objects.put(ref.bucket, ref.key, createReadStream(path), { contentType });
}

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(path: string): Promise<boolean> {
  const f = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await f.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await f.close();
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
