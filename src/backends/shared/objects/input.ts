/**
 * Content type and user metadata of a put, checked as S3 would accept them over HTTP headers:
 * metadata names are header tokens, stored in lower case (S3 returns them so); values are
 * printable ASCII; names and values together are at most 2 KiB.
 */
import { ValidationError, show } from '../../../core/errors.ts';
import { defaults } from '../../../core/defaults.ts';
import type { PutObjectInput } from '../../../ports/objects.ts';

const token = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const printable = /^[\x20-\x7e\t]*$/;

export interface CheckedInput {
  contentType: string;
  metadata: Record<string, string>;
}

export function checkInput(bucket: string, key: string, input: PutObjectInput = {}): CheckedInput {
  const where = `the object ${show(key)} in bucket "${bucket}"`;
  const { contentType = defaults.objects.contentType, metadata = {} } = input;
  if (typeof contentType !== 'string' || contentType === '' || !printable.test(contentType)) {
    throw new ValidationError(`The content type ${show(contentType)} for ${where} is not a valid header value.`, { action: 'Use a MIME type such as "application/json".' });
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError(`The metadata for ${where} is ${show(metadata)}.`, { action: 'Pass an object of string names to string values.' });
  }
  const out = new Map<string, string>();
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!token.test(name)) {
      throw new ValidationError(`The metadata name ${show(name)} for ${where} is not a valid header name.`, { action: 'Use letters, digits and - _ . only, e.g. "source-file".' });
    }
    if (typeof value !== 'string' || !printable.test(value)) {
      throw new ValidationError(`The metadata value of ${show(name)} for ${where} is ${show(value)}: values must be strings of printable ASCII.`, {
        action: 'Encode other text first, e.g. with encodeURIComponent.',
      });
    }
    const lower = name.toLowerCase();
    if (out.has(lower)) throw new ValidationError(`The metadata for ${where} names ${show(lower)} twice (names ignore case).`, { action: 'Keep one of them.' });
    out.set(lower, value);
    bytes += Buffer.byteLength(lower) + Buffer.byteLength(value);
  }
  if (bytes > defaults.objects.maxMetadataBytes) {
    throw new ValidationError(`The metadata for ${where} is ${bytes} bytes; the limit is ${defaults.objects.maxMetadataBytes} (as S3).`, {
      action: 'Keep large values in the object itself.',
    });
  }
  return { contentType, metadata: Object.fromEntries(out) };
}
