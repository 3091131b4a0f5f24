/**
 * Object keys: validation, and where a key's content lives on the filesystem.
 *
 * Validation (ValidationError naming the bucket, the key and the rule): a key must be a non-empty,
 * well-formed Unicode string of at most 1024 UTF-8 bytes (as S3), must not start with '/', must not
 * contain NUL, and must not have a '.' or '..' segment (segments are the parts between '/'). On top
 * of S3's rules, the local filesystem holds at most 255 bytes per segment.
 *
 * Key → path. A plain key (every segment non-empty, no trailing '/') is stored at
 * `objects/<bucket>/<key>`, the identical relative path, so engines such as DuckDB can glob
 * hive-partitioned prefixes (`objects/lake/dt=2026-01-01/hour=05/*.parquet`).
 *
 * S3 also allows keys a directory tree cannot hold as they are: folder markers ending in '/'
 * ('logs/'), and empty segments ('a//b'). These go to a separate tree,
 * `objects/.escaped/<bucket>/...`, by a reversible escaping: each directory segment gets the prefix
 * 'd' and the last segment the prefix 'f' ('logs/' → 'dlogs/f', 'a//b' → 'da/d/fb'). A directory
 * name there always starts with 'd' and a file name with 'f', so no two escaped keys collide and
 * no file ever needs the name of a directory. `.escaped` cannot clash with a bucket (bucket names
 * start with a letter or digit) and is never matched by a glob of a bucket's own directory, which
 * suits folder markers (empty objects nobody wants to read as data). Decode with
 * {@link keyFromEscapedPath}.
 *
 * One case is refused instead of escaped: two plain keys where one is a folder of the other ('a'
 * and 'a/b'). A file and a directory cannot share a name, and placing one of them elsewhere would
 * make a glob silently miss data, so that write fails with a ValidationError naming the other key
 * (see `conflicts.ts`). Filesystems that ignore case (macOS default) would also merge 'A' and 'a';
 * the local backend assumes a case-sensitive filesystem.
 */
import { ValidationError, show } from '../../../core/errors.ts';
import { defaults } from '../../../core/defaults.ts';
import { checkObjectKey } from '../../../core/object-keys.ts';

/** Where an object's bytes live, relative to the objects root (`<dir>/objects`), '/'-separated. */
export interface KeyPlacement {
  path: string;
  /** true when the key is stored in the escaped tree. */
  escaped: boolean;
}

/** Name of the tree holding keys that cannot be stored as they are (see the top of this file). */
export const escapedDir = '.escaped';

/** true when the key maps to the identical relative path (every segment non-empty, no trailing '/'). */
export function isPlainKey(key: string): boolean {
  return !key.endsWith('/') && !key.includes('//');
}

/** Throws ValidationError unless `key` is a valid S3 key (core/object-keys.ts) that the local filesystem can hold. */
export function checkKey(bucket: string, key: unknown): asserts key is string {
  checkObjectKey(bucket, key);
  const limit = defaults.objects.maxSegmentBytes - (isPlainKey(key) ? 0 : 1);
  for (const segment of key.split('/')) {
    const size = Buffer.byteLength(segment, 'utf8');
    if (size > limit) {
      throw new ValidationError(`Invalid object key ${show(key)} in bucket "${bucket}": the segment ${show(segment, 40)} is ${size} bytes and the local filesystem holds at most ${limit} bytes between two '/'.`, { action: "Split the long part with '/' or shorten it." });
    }
  }
}

/** Where a (valid) key of `bucket` is stored; see the top of this file. */
export function placeKey(bucket: string, key: string): KeyPlacement {
  if (isPlainKey(key)) return { path: `${bucket}/${key}`, escaped: false };
  const segments = key.split('/');
  const last = segments.length - 1;
  const escaped = segments.map((s, i) => (i === last ? `f${s}` : `d${s}`)).join('/');
  return { path: `${escapedDir}/${bucket}/${escaped}`, escaped: true };
}

/** The inverse of placeKey for an escaped path: `.escaped/<bucket>/<escaped>` → key. */
export function keyFromEscapedPath(path: string): { bucket: string; key: string } | undefined {
  const [root, bucket, ...rest] = path.split('/');
  if (root !== escapedDir || bucket === undefined || rest.length === 0) return undefined;
  const last = rest.length - 1;
  for (let i = 0; i < rest.length; i++) if (!rest[i]!.startsWith(i === last ? 'f' : 'd')) return undefined;
  return { bucket, key: rest.map((s) => s.slice(1)).join('/') };
}
