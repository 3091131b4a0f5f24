/**
 * S3's rules for object keys, with no storage of its own behind them, so every backend refuses the
 * same keys with the same words: a key is a non-empty, well-formed Unicode string of at most 1024
 * UTF-8 bytes, does not start with '/', holds no NUL, and has no '.' or '..' segment (segments are
 * the parts between '/'). A backend with tighter limits (the local filesystem's 255 bytes per
 * segment) checks those on top.
 */
import { defaults } from './defaults.ts';
import { ValidationError, show } from './errors.ts';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function refuse(bucket: string, key: unknown, rule: string, action: string): never {
  throw new ValidationError(`Invalid object key ${show(key)} in bucket "${bucket}": ${rule}.`, { action });
}

/** Throws ValidationError (naming the bucket, the key and the rule) unless `key` is a valid S3 key. */
export function checkObjectKey(bucket: string, key: unknown): asserts key is string {
  if (typeof key !== 'string') refuse(bucket, key, 'a key must be a string', 'Pass the key as a string, e.g. "dt=2026-01-01/part-0.json".');
  if (key.length === 0) refuse(bucket, key, 'a key may not be empty', 'Give the object a name, e.g. "data/part-0.json".');
  if (loneSurrogate.test(key)) refuse(bucket, key, 'a key must be valid Unicode and this one has a lone surrogate', 'Build the key from whole characters (check any string slicing).');
  if (key.includes('\0')) refuse(bucket, key, 'a key may not contain a NUL character (\\0)', 'Remove the NUL character from the key.');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > defaults.objects.maxKeyBytes) {
    refuse(bucket, key, `a key may be at most ${defaults.objects.maxKeyBytes} bytes of UTF-8 and this one is ${bytes}`, 'Use a shorter key, as S3 requires.');
  }
  if (key.startsWith('/')) refuse(bucket, key, "a key may not start with '/'", "Keys are relative to the bucket: remove the leading '/'.");
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..') {
      refuse(bucket, key, `a key may not contain a "${segment}" segment`, "Keys name objects inside the bucket, not relative paths: remove the '.' or '..' segment.");
    }
  }
}
