/**
 * The embedded object store: buckets of objects with S3 semantics, content on the filesystem,
 * metadata in SQLite.
 *
 * Where things are. An object's bytes are a file at `<dir>/objects/<bucket>/<key>` (the identical
 * relative path for plain keys, so DuckDB can glob hive-partitioned prefixes; keys.ts explains
 * the few keys stored elsewhere). Its metadata (size, etag = quoted hex MD5, content type, user
 * metadata, last modified) is a row in SQLite, which is the truth for existence and listing: a
 * file without a row is not an object.
 *
 * Put (intents.ts):
 *   1. stream the body to `<dir>/objects/.tmp/<pid>-<token>-<n>`, computing MD5 and size, fsync
 *   2. tx 1: check the bucket, the key's folders, the notified queues; record an intent
 *      (temp file → final path, with the metadata to commit)
 *   3. rename the temp file over the final path (atomic: readers open the old file or the new one)
 *   4. tx 2: upsert the metadata row, delete the intent, write the events (enqueue to notified
 *      queues, or the outbox for other targets); then signal the queues
 *   Steps 2-4 run synchronously, so in this process nothing runs between them.
 * Delete: one tx removes the row, writes the removed events and an unlink intent; then the file
 *   and any folders it leaves empty go, and the intent. Deleting a missing key is a no-op (no event).
 * Copy: the source's content is streamed to a temp file, then as put (event ObjectCreated:Copy),
 *   keeping the source's content type and metadata, as S3's default COPY directive.
 *
 * Recovery (recover.ts), run when the store opens: every put intent is rolled forward (renamed if
 * its temp file is still there, then committed with its events); every delete intent is finished;
 * temp files with no intent are removed. So after a crash at any point an object is either
 * complete (with its events) or absent/unchanged, never partial.
 *
 * Intents are also per-key locks when several processes share the state directory (the CLI while
 * the runtime runs): a write waits for another's intent on its key, and reads (read.ts) check the
 * row did not change around opening the file.
 *
 * Left out, as in the port: versioning, multipart upload, ACLs, storage classes. Filesystem
 * limits: at most 255 bytes between two '/' in a key, no key that is a folder of another plain key
 * ('a' with 'a/b'), and a case-sensitive filesystem is assumed.
 */
import { mkdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { ValidationError, show } from '../../../core/errors.ts';
import { defaults } from '../../../core/defaults.ts';
import type { BucketConfig, ListOptions, ListResult, ObjectHead, ObjectStore, OutboxEvent, PutObjectInput } from '../../../ports/objects.ts';
import type { LocalContext } from '../context.ts';
import { checkBucketConfig } from '../../shared/objects/buckets.ts';
import { requireBucket } from './buckets.ts';
import { checkNoFolderClash } from './conflicts.ts';
import { toHead } from './head.ts';
import { checkInput } from '../../shared/objects/input.ts';
import { awaitIntent, commitPut, finishDelete, reserveDelete } from './intents.ts';
import { checkKey, placeKey } from './keys.ts';
import { absolute, bucketDir, makeLayout } from './layout.ts';
import { listPage } from './list.ts';
import { signalQueues } from './notify.ts';
import { prepareQueries } from './queries.ts';
import { notFound, openObject } from './read.ts';
import { recover } from './recover.ts';
import type { ObjectsState } from './shared.ts';
import { spool, type Body } from './spool.ts';

export class LocalObjectStore implements ObjectStore {
  private readonly s: ObjectsState;

  constructor(ctx: LocalContext) {
    this.s = { ctx, q: prepareQueries(ctx.db), layout: makeLayout(ctx.dir) };
    recover(this.s);
  }

  /** The state the write steps work on (for tests that stop a write between two steps). */
  get state(): ObjectsState {
    return this.s;
  }

  async declare(config: BucketConfig): Promise<void> {
    const checked = checkBucketConfig(config);
    this.s.q.upsertBucket.run(checked.name, JSON.stringify(checked), this.s.ctx.clock.now());
    mkdirSync(bucketDir(this.s.layout, checked.name), { recursive: true });
  }

  async list(bucket: string, options?: ListOptions): Promise<ListResult> {
    requireBucket(this.s.q, bucket);
    return listPage(this.s, bucket, options);
  }

  async put(bucket: string, key: string, body: Body, input?: PutObjectInput): Promise<ObjectHead> {
    const { q, layout } = this.s;
    requireBucket(q, bucket);
    checkKey(bucket, key);
    const checked = checkInput(bucket, key, input);
    const placement = placeKey(bucket, key);
    checkNoFolderClash(q, bucket, key, placement); // early, before the body is read; checked again in tx 1
    const spooled = await spool(layout, body, `the object ${show(key)} in bucket "${bucket}"`);
    return commitPut(this.s, { bucket, key, placement, spooled, ...checked, eventName: 'ObjectCreated:Put' });
  }

  async get(bucket: string, key: string): Promise<{ head: ObjectHead; body: Buffer }> {
    const { row, file } = await this.open(bucket, key);
    try {
      return { head: toHead(row), body: await file.readFile() };
    } finally {
      await file.close();
    }
  }

  /** The stream holds the file open until it ends or is destroyed. */
  async getStream(bucket: string, key: string): Promise<{ head: ObjectHead; body: Readable }> {
    const { row, file } = await this.open(bucket, key);
    return { head: toHead(row), body: file.createReadStream({ autoClose: true }) };
  }

  async head(bucket: string, key: string): Promise<ObjectHead> {
    requireBucket(this.s.q, bucket);
    checkKey(bucket, key);
    const row = this.s.q.object.get(bucket, key);
    if (!row) throw notFound(bucket, key);
    return toHead(row);
  }

  async delete(bucket: string, key: string): Promise<void> {
    requireBucket(this.s.q, bucket);
    checkKey(bucket, key);
    for (;;) {
      const reserved = reserveDelete(this.s, bucket, key);
      if (reserved === undefined) return;
      if ('busy' in reserved) {
        await awaitIntent(this.s, reserved.busy);
        continue;
      }
      try {
        finishDelete(this.s, reserved.intent);
      } catch {
        // The object is deleted (its row and events committed); the leftover file is removed by
        // the next access of the key or the next open, which report the error if it persists.
      }
      signalQueues(this.s.ctx, reserved.queues);
      return;
    }
  }

  async copy(from: { bucket: string; key: string }, to: { bucket: string; key: string }): Promise<ObjectHead> {
    const { q, layout } = this.s;
    requireBucket(q, from.bucket);
    checkKey(from.bucket, from.key);
    requireBucket(q, to.bucket);
    checkKey(to.bucket, to.key);
    if (from.bucket === to.bucket && from.key === to.key) {
      throw new ValidationError(`Cannot copy the object ${show(from.key)} in bucket "${from.bucket}" onto itself without changing it (S3 refuses this too).`, {
        action: 'Copy to another key, or put the object again to change it.',
      });
    }
    const placement = placeKey(to.bucket, to.key);
    checkNoFolderClash(q, to.bucket, to.key, placement);
    const { row, file } = await this.open(from.bucket, from.key);
    let spooled;
    try {
      spooled = await spool(layout, file.createReadStream({ autoClose: false }), `the copy of ${show(from.key)} to ${show(to.key)} in bucket "${to.bucket}"`);
    } finally {
      await file.close();
    }
    const source = toHead(row);
    return commitPut(this.s, { bucket: to.bucket, key: to.key, placement, spooled, contentType: source.contentType, metadata: source.metadata, eventName: 'ObjectCreated:Copy' });
  }

  /**
   * Where the object's bytes are (or would be, for a key not stored yet): `<dir>/objects/<bucket>/<key>`
   * for plain keys, the escaped tree for the rest (keys.ts). Read it, never write it: writes go
   * through put so metadata and events stay true.
   */
  localPath(bucket: string, key: string): string {
    requireBucket(this.s.q, bucket);
    checkKey(bucket, key);
    return absolute(this.s.layout, placeKey(bucket, key).path);
  }

  /** The folder holding a bucket's plain keys, for engines that glob it (`<dir>/objects/<bucket>`). */
  bucketPath(bucket: string): string {
    requireBucket(this.s.q, bucket);
    return bucketDir(this.s.layout, bucket);
  }

  async pendingEvents(limit: number = defaults.objects.pendingEvents): Promise<OutboxEvent[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError(`pendingEvents limit ${show(limit)} is not a positive whole number.`, { action: `Pass a limit such as ${defaults.objects.pendingEvents}.` });
    }
    return this.s.q.pendingEvents.all(limit).map((r) => ({ id: r.id, target: r.target, record: JSON.parse(r.record) as OutboxEvent['record'] }));
  }

  async ackEvents(ids: number[]): Promise<void> {
    if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id))) {
      throw new ValidationError(`ackEvents takes event ids (whole numbers); got ${show(ids)}.`, { action: 'Pass the ids of events returned by pendingEvents.' });
    }
    const { ctx, q } = this.s;
    ctx.db.transaction(() => {
      for (const id of ids) q.ackEvent.run(id);
    })();
  }

  private async open(bucket: string, key: string) {
    requireBucket(this.s.q, bucket);
    checkKey(bucket, key);
    return openObject(this.s, bucket, key);
  }
}
