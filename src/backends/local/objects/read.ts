/**
 * Opening an object's file together with the metadata that describes it.
 *
 * Content files are never modified in place: a write renames a new file over the old one, so an
 * open file handle reads one version to its end. What must be checked is that the handle and the
 * metadata row are the same version, since another process may replace the file between the two
 * reads: read the row (and whether a write of the key is in flight), open the file, read the row
 * again; the pair is consistent when the row's change counter did not move and no write was in
 * flight (a replacement always holds an intent from before its rename until after its row commits).
 * Within one process the write steps are synchronous, so the check never has to retry.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { NotFoundError, StoreError, show } from '../../../core/errors.ts';
import { awaitIntent } from './intents.ts';
import { absolute } from './layout.ts';
import type { ObjectRow } from './queries.ts';
import type { ObjectsState } from './shared.ts';

export function notFound(bucket: string, key: string): NotFoundError {
  return new NotFoundError(`No object ${show(key)} in bucket "${bucket}".`, { action: 'Check the key (keys are case-sensitive), or list the bucket to see what it holds.' });
}

const maxAttempts = 100;

/** The current row of (bucket, key) and an open handle on its content. The caller closes the handle. */
export async function openObject(s: ObjectsState, bucket: string, key: string): Promise<{ row: ObjectRow; file: FileHandle }> {
  const snapshot = () => s.q.objectAndBusy.get(bucket, key, bucket, key);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const before = snapshot();
    if (!before) throw notFound(bucket, key);
    if (before.busy !== null) {
      await awaitIntent(s, before.busy);
      continue;
    }
    let file: FileHandle;
    try {
      file = await open(absolute(s.layout, before.path), 'r');
    } catch (err) {
      const after = snapshot();
      if (after?.seq === before.seq && after.busy === null) {
        throw new StoreError(`The content of ${show(key)} in bucket "${bucket}" is missing from ${absolute(s.layout, before.path)}.`, {
          action: 'The objects directory was changed outside Baton; put the object again or delete it.',
          cause: err,
        });
      }
      continue;
    }
    const after = snapshot();
    if (after?.seq === before.seq && after.busy === null) return { row: before, file };
    await file.close();
  }
  throw new StoreError(`The object ${show(key)} in bucket "${bucket}" kept changing while it was being read.`, { action: 'Retry the read.' });
}
