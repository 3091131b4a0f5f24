/**
 * The S3 event records a change produces under a bucket's notification rules (each record built by
 * core/s3-events.ts, as S3 sends them, keys URL-encoded as S3 encodes them).
 */
import { randomBytes } from 'node:crypto';
import type { S3EventRecord } from 'aws-lambda';
import { embeddedRegion } from '../../../core/region.ts';
import { encodeEventKey, s3Record, sequencer } from '../../../core/s3-events.ts';
import type { BucketConfig, BucketNotification, ObjectEventName } from '../../../ports/objects.ts';

const localRegion = embeddedRegion();
import { ruleId } from '../../shared/objects/buckets.ts';

/** What changed, enough to build every record for it. */
export interface ObjectChange {
  bucket: string;
  key: string;
  eventName: ObjectEventName;
  /** Change counter value (becomes the sequencer). */
  seq: number;
  /** When the change happened (ms since the epoch, from the store's clock). */
  at: number;
  /** For created events: size in bytes and the quoted etag. */
  size?: number;
  etag?: string;
}

/** One record for one rule, and where it goes. */
export interface RoutedRecord {
  rule: BucketNotification;
  record: S3EventRecord;
}

export { encodeEventKey, sequencer };

/** true when the rule asks for this change. */
export function ruleMatches(rule: BucketNotification, change: Pick<ObjectChange, 'key' | 'eventName'>): boolean {
  const kind = change.eventName.startsWith('ObjectCreated:') ? 'created' : 'removed';
  if (!rule.events.includes(kind)) return false;
  if (rule.prefix !== undefined && !change.key.startsWith(rule.prefix)) return false;
  if (rule.suffix !== undefined && !change.key.endsWith(rule.suffix)) return false;
  return true;
}

const principal = 'BATON-LOCAL';

/** Every record a change produces under the bucket's rules, in rule order. */
export function recordsFor(config: BucketConfig, change: ObjectChange): RoutedRecord[] {
  const matching = config.notifications.map((rule, i) => ({ rule, i })).filter(({ rule }) => ruleMatches(rule, change));
  if (matching.length === 0) return [];
  // One request, one request id, whatever the number of rules (as S3).
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const hostId = randomBytes(56).toString('base64');
  return matching.map(({ rule, i }) => ({
    rule,
    record: s3Record({ ...change, configurationId: ruleId(rule, i), region: localRegion, requestId, hostId, principalId: principal }),
  }));
}
