import { z } from 'zod';
import type { BucketConfig } from './configs.ts';
import { define, type Resource } from './define.ts';
import { withRenames } from './shapes.ts';
import { targetField } from './target.ts';

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens, as in S3');

const notification = withRenames(
  z.strictObject({
    /** The rule's id, sent as the event's configurationId. @defaultValue 'notification-<n>' */
    id: z.string().min(1).max(255).optional(),
    /** @defaultValue ['created'] */
    events: z.array(z.enum(['created', 'removed'])).min(1).optional(),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    /**
     * Where each matching event goes: a queue (the S3 event JSON as the message body, enqueued in
     * the same transaction as the write) or a function (invoked asynchronously, as S3 invokes Lambda).
     */
    target: targetField(['queue', 'fn']),
  }),
  {
    queue: 'a notification names where it goes with target: write target: { queue: <value> }',
    fn: 'a notification names where it goes with target: write target: { fn: <value> }',
  },
);

const options = z.strictObject({
  notifications: z.array(notification).optional(),
});

export type BucketOptions = z.input<typeof options>;
export type BucketResource = Resource<'bucket', BucketConfig>;

/** Declares a bucket of objects (S3 semantics), with object-created/removed notifications. */
export function bucket(name: string, opts: BucketOptions = {}): BucketResource {
  const { name: n, options: o } = define('bucket', name, options, opts, bucketName);
  return {
    kind: 'bucket',
    name: n,
    config: {
      name: n,
      notifications: (o.notifications ?? []).map((rule) => ({
        ...(rule.id !== undefined ? { id: rule.id } : {}),
        events: rule.events ?? ['created'],
        ...(rule.prefix !== undefined ? { prefix: rule.prefix } : {}),
        ...(rule.suffix !== undefined ? { suffix: rule.suffix } : {}),
        // The object store's rule: a queue by name, any other target as '<kind>:<name>' in its outbox.
        ...('queue' in rule.target ? { queue: rule.target.queue } : { target: `fn:${rule.target.fn}` }),
      })),
    },
  };
}
