import { z } from 'zod';
import type { BucketConfig } from './configs.ts';
import { define, nameSchema, type Resource } from './define.ts';

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens, as in S3');

const notification = z
  .strictObject({
    /** The rule's id, sent as the event's configurationId. @defaultValue 'notification-<n>' */
    id: z.string().min(1).max(255).optional(),
    events: z.array(z.enum(['created', 'removed'])).min(1).optional(),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    /** Deliver each event to this queue (S3 event JSON body), in the same transaction as the write. */
    queue: nameSchema.optional(),
    /** Deliver to a function (runtime), by name. */
    fn: nameSchema.optional(),
  })
  .refine((n) => (n.queue === undefined) !== (n.fn === undefined), { message: 'give exactly one target: queue or fn' });

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
        ...(rule.queue !== undefined ? { queue: rule.queue } : {}),
        ...(rule.fn !== undefined ? { target: `fn:${rule.fn}` } : {}),
      })),
    },
  };
}
