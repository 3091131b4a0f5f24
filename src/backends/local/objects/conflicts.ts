/**
 * What stands in the way of writing a key: a write of the same key (or of a key sharing its
 * directories) still in flight in some process, which the caller waits for; or, for a plain key,
 * an object that is a folder of it or that it is a folder of ('a' and 'a/b'), which the
 * filesystem cannot hold together (see keys.ts), refused with a ValidationError.
 */
import { ValidationError, show } from '../../../core/errors.ts';
import type { KeyPlacement } from './keys.ts';
import type { Queries } from './queries.ts';

/** The keys that are folders of `key`: 'a/b/c' → ['a', 'a/b']. */
function parents(key: string): string[] {
  const out: string[] = [];
  for (let i = key.indexOf('/'); i > 0; i = key.indexOf('/', i + 1)) out.push(key.slice(0, i));
  return out;
}

/** The id of an in-flight write this write must wait for, if any. */
export function busyWith(q: Queries, bucket: string, key: string, placement: KeyPlacement): number | undefined {
  const self = q.intentOnKey.get(bucket, key);
  if (self) return self.id;
  if (placement.escaped) return undefined;
  for (const parent of parents(key)) {
    const hit = q.intentOnKey.get(bucket, parent);
    if (hit) return hit.id;
  }
  return q.plainIntentInside.get(bucket, `${key}/`, `${key}0`)?.id;
}

/** Throws ValidationError when a plain key cannot coexist with an object already stored. */
export function checkNoFolderClash(q: Queries, bucket: string, key: string, placement: KeyPlacement): void {
  if (placement.escaped) return;
  const clash = (other: string, relation: string): never => {
    throw new ValidationError(
      `Cannot store the object ${show(key)} in bucket "${bucket}": ${relation} ${show(other)} exists, and the local filesystem cannot hold a file and a folder of the same name.`,
      { action: `Rename one of the two (e.g. ${show(`${key.split('/').pop()}.json`)} for a file), or delete ${show(other)} first. S3 allows both; the local backend keeps each key at its own path so tools can read the files.` },
    );
  };
  for (const parent of parents(key)) if (q.object.get(bucket, parent)) clash(parent, 'the object');
  const inside = q.plainDescendant.get(bucket, `${key}/`, `${key}0`);
  if (inside) clash(inside.key, 'it would be a file where a folder holds the object');
}
