import type { ObjectHead, ObjectStore } from '../ports/objects.ts';

/** Every object under a prefix, following continuation tokens. */
export async function listAll(objects: ObjectStore, bucket: string, prefix: string): Promise<ObjectHead[]> {
  const out: ObjectHead[] = [];
  let token: string | undefined;
  do {
    const page = await objects.list(bucket, { prefix, ...(token ? { continuationToken: token } : {}) });
    out.push(...page.objects);
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  return out;
}
