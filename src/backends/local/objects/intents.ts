/**
 * The steps of the write protocol (described in store.ts), each usable on its own so recovery can
 * finish a crashed write from any point and tests can stop a write between two steps.
 *
 *   put:    reservePut (tx: intent row) → placePut (rename temp → final) → finishPut (tx: metadata
 *           row, intent removed, events)
 *   delete: reserveDelete (tx: row removed, events, intent row) → finishDelete (unlink, remove
 *           empty folders, intent removed)
 *
 * An intent is also the key's lock across processes: a write that finds another intent on its key
 * (or on a key sharing its folders) waits for it, and after defaults.objects.intentWaitMs, when its
 * writer has evidently died, finishes it itself (settleIntent). finishPut commits at most once per
 * intent, so two processes finishing the same intent cannot write two events.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError, show } from '../../../core/errors.ts';
import { defaults } from '../../../core/defaults.ts';
import type { ObjectEventName, ObjectHead } from '../../../ports/objects.ts';
import { requireBucket } from './buckets.ts';
import { busyWith, checkNoFolderClash } from './conflicts.ts';
import { toHead } from './head.ts';
import type { KeyPlacement } from './keys.ts';
import { absolute, removeEmptyParents, stopDir } from './layout.ts';
import { checkDeliverable, deliverWithin, signalQueues } from './notify.ts';
import type { IntentRow, ObjectRow } from './queries.ts';
import type { ObjectsState } from './shared.ts';
import type { Spooled } from './spool.ts';

export interface PutRequest {
  bucket: string;
  key: string;
  placement: KeyPlacement;
  spooled: Spooled;
  contentType: string;
  metadata: Record<string, string>;
  eventName: ObjectEventName;
}

/** Step 1 of a put: records the intent, or names the in-flight write to wait for. */
export function reservePut(s: ObjectsState, req: PutRequest): { intent: IntentRow } | { busy: number } {
  const { ctx, q } = s;
  return ctx.db.transaction((): { intent: IntentRow } | { busy: number } => {
    const config = requireBucket(q, req.bucket);
    const busy = busyWith(q, req.bucket, req.key, req.placement);
    if (busy !== undefined) return { busy };
    checkNoFolderClash(q, req.bucket, req.key, req.placement);
    const at = ctx.clock.now();
    checkDeliverable(ctx, q, config, { bucket: req.bucket, key: req.key, eventName: req.eventName, seq: 0, at, size: req.spooled.size, etag: req.spooled.etag });
    const { id } = q.insertPutIntent.get(
      req.bucket, req.key, req.placement.path, Number(req.placement.escaped), req.spooled.tmp, req.spooled.size, req.spooled.etag,
      req.contentType, JSON.stringify(req.metadata), req.eventName, at,
    )!;
    return { intent: q.intent.get(id)! };
  }).immediate();
}

/** Removes the folders in the way of a file at `path` when they hold nothing but empty folders. */
function clearEmptyFolder(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (!entry.isDirectory()) {
      throw new StoreError(`Cannot store an object at ${path}: a folder there holds files the object store does not know.`, {
        action: 'Move that folder out of the objects directory; files there are managed by Baton.',
      });
    }
    clearEmptyFolder(join(path, entry.name));
  }
  rmdirSync(path);
}

/**
 * Step 2 of a put: moves the temporary file to its final path (atomic: a reader opens the old file
 * or the new one). Returns false when the temporary file is already gone (another process placed it).
 */
export function placePut(s: ObjectsState, intent: IntentRow): boolean {
  const from = join(s.layout.tmp, intent.tmp ?? '');
  const to = absolute(s.layout, intent.path);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (!existsSync(from)) return false;
    try {
      mkdirSync(dirname(to), { recursive: true });
      renameSync(from, to);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // a folder on the way was removed meanwhile: make it again
      if ((code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') && statSync(to, { throwIfNoEntry: false })?.isDirectory()) {
        clearEmptyFolder(to); // left by an interrupted cleanup; no object lives under it (checked in reservePut)
        continue;
      }
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw new StoreError(`Cannot store the object ${show(intent.key)} in bucket "${intent.bucket}": a file the object store does not know is in the way of ${to}.`, {
          action: 'Move stray files out of the objects directory; files there are managed by Baton.',
          cause: err,
        });
      }
      throw new StoreError(`Cannot move the new content of ${show(intent.key)} in bucket "${intent.bucket}" into place at ${to}.`, {
        action: 'Check that the state directory is writable and the disk has room.',
        cause: err,
      });
    }
  }
  throw new StoreError(`Cannot move the new content of ${show(intent.key)} in bucket "${intent.bucket}" into place at ${to}: its folder kept disappearing.`, {
    action: 'Retry the write.',
  });
}

/**
 * Step 3 of a put: in one transaction, the metadata row, the end of the intent, and the events.
 * Returns undefined when the intent was already finished (by another process).
 */
export function finishPut(s: ObjectsState, intent: IntentRow): { head: ObjectHead; queues: string[] } | undefined {
  const { ctx, q } = s;
  return ctx.db.transaction(() => {
    if (q.deleteIntent.run(intent.id).changes === 0) return undefined;
    const config = requireBucket(q, intent.bucket);
    const seq = q.nextSeq.get()!.value;
    const row: ObjectRow = {
      bucket: intent.bucket, key: intent.key, path: intent.path, escaped: intent.escaped, size: intent.size ?? 0, etag: intent.etag ?? '""',
      content_type: intent.content_type ?? defaults.objects.contentType, metadata: intent.metadata ?? '{}', last_modified: intent.at, seq,
    };
    q.upsertObject.run(row.bucket, row.key, row.path, row.escaped, row.size, row.etag, row.content_type, row.metadata, row.last_modified, row.seq);
    const eventName = (intent.event_name ?? 'ObjectCreated:Put') as ObjectEventName;
    const queues = deliverWithin(ctx, q, config, { bucket: row.bucket, key: row.key, eventName, seq, at: intent.at, size: row.size, etag: row.etag });
    return { head: toHead(row), queues };
  }).immediate();
}

/** Undoes step 1 after step 2 failed: the intent and the temporary file go. */
export function abandonPut(s: ObjectsState, intent: IntentRow): void {
  s.q.deleteIntent.run(intent.id);
  rmSync(join(s.layout.tmp, intent.tmp ?? ''), { force: true });
}

/**
 * Steps 1-3 for a spooled body. Steps 2 and 3 run synchronously, so within this process nothing
 * runs between them. The temporary file is removed if the write is refused.
 */
export async function commitPut(s: ObjectsState, req: PutRequest): Promise<ObjectHead> {
  for (;;) {
    let reserved: { intent: IntentRow } | { busy: number };
    try {
      reserved = reservePut(s, req);
    } catch (err) {
      rmSync(join(s.layout.tmp, req.spooled.tmp), { force: true });
      throw err;
    }
    if ('busy' in reserved) {
      await awaitIntent(s, reserved.busy);
      continue;
    }
    const { intent } = reserved;
    try {
      placePut(s, intent);
    } catch (err) {
      abandonPut(s, intent);
      throw err;
    }
    let done: { head: ObjectHead; queues: string[] } | undefined;
    try {
      done = finishPut(s, intent);
    } catch (err) {
      // The content is in place and the intent stays: whoever next touches the key (or the next
      // open) finishes the write.
      throw new StoreError(`The object ${show(req.key)} in bucket "${req.bucket}" was written but its metadata could not be recorded yet.`, {
        action: 'Retry the put, or reopen the store to finish it.',
        cause: err,
      });
    }
    if (!done) return toHead(s.q.object.get(req.bucket, req.key)!);
    signalQueues(s.ctx, done.queues);
    return done.head;
  }
}

/** Step 1 of a delete: the row goes, with its events and an unlink intent. undefined: no such object. */
export function reserveDelete(s: ObjectsState, bucket: string, key: string): { intent: IntentRow; queues: string[] } | { busy: number } | undefined {
  const { ctx, q } = s;
  return ctx.db.transaction((): { intent: IntentRow; queues: string[] } | { busy: number } | undefined => {
    const config = requireBucket(q, bucket);
    const busy = q.intentOnKey.get(bucket, key);
    if (busy) return { busy: busy.id };
    const row = q.object.get(bucket, key);
    if (!row) return undefined;
    q.deleteObject.run(bucket, key);
    const at = ctx.clock.now();
    const seq = q.nextSeq.get()!.value;
    const queues = deliverWithin(ctx, q, config, { bucket, key, eventName: 'ObjectRemoved:Delete', seq, at });
    const { id } = q.insertDeleteIntent.get(bucket, key, row.path, row.escaped, at)!;
    return { intent: q.intent.get(id)!, queues };
  }).immediate();
}

/** Step 2 of a delete: the file and any folders it leaves empty go, then the intent. */
export function finishDelete(s: ObjectsState, intent: IntentRow): void {
  const path = absolute(s.layout, intent.path);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StoreError(`Cannot remove the file of the deleted object ${show(intent.key)} in bucket "${intent.bucket}" at ${path}.`, {
        action: 'Check the permissions of the state directory; the next open retries.',
        cause: err,
      });
    }
  }
  removeEmptyParents(path, stopDir(s.layout, intent.path));
  s.q.deleteIntent.run(intent.id);
}

/** Finishes an intent left by a write that did not complete (a crash, or a writer that died). */
export function settleIntent(s: ObjectsState, intent: IntentRow): void {
  if (intent.kind === 'delete') {
    finishDelete(s, intent);
    return;
  }
  const placed = placePut(s, intent);
  if (!placed) {
    // The temporary file is gone: it was renamed before the crash, unless the content at the
    // final path is not this write's (then there is nothing to commit).
    const final = statSync(absolute(s.layout, intent.path), { throwIfNoEntry: false });
    if (!final?.isFile() || final.size !== intent.size) {
      s.q.deleteIntent.run(intent.id);
      return;
    }
  }
  const done = finishPut(s, intent);
  if (done) signalQueues(s.ctx, done.queues);
}

/**
 * Waits for another write's intent to end. A live writer holds one only while it moves a file and
 * commits (milliseconds); one still there after defaults.objects.intentWaitMs belongs to a writer
 * that died, and is finished here. Real time, not the store's clock: this waits for another
 * process, not for anything the clock schedules.
 */
export async function awaitIntent(s: ObjectsState, id: number): Promise<void> {
  const deadline = Date.now() + defaults.objects.intentWaitMs;
  for (let pause = 2; Date.now() < deadline; pause = Math.min(pause * 2, 50)) {
    if (!s.q.intent.get(id)) return;
    await sleep(pause);
  }
  const intent = s.q.intent.get(id);
  if (intent) settleIntent(s, intent);
}
