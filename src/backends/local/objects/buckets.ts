/** Looking a declared bucket up in the catalog (the rules of a declaration are in backends/shared/objects). */
import { NotFoundError, show } from '../../../core/errors.ts';
import type { BucketConfig } from '../../../ports/objects.ts';
import type { Queries } from './queries.ts';

/** The declared config of `bucket`, or NotFoundError telling the user to declare it. */
export function requireBucket(q: Queries, bucket: string): BucketConfig {
  const row = typeof bucket === 'string' ? q.bucketConfig.get(bucket) : undefined;
  if (!row) {
    throw new NotFoundError(`Bucket ${show(bucket)} is not declared.`, {
      action: `Declare it first: add bucket(${show(bucket)}) to the app's resources, or call objects.declare({ name: ${show(bucket)}, notifications: [] }).`,
    });
  }
  return JSON.parse(row.config) as BucketConfig;
}
