/**
 * S3 event records, built as S3 sends them (event message structure version 2.1), and the
 * matching of a change against a bucket's notification rules.
 *
 * The object key in a record is URL-encoded the way S3 encodes it: form encoding
 * (application/x-www-form-urlencoded, as Java's URLEncoder) except that '/' is kept. Letters,
 * digits and `. - _ *` stay as they are, a space becomes '+', and every other byte of the UTF-8
 * form becomes %XX in upper case: 'dt=2026-01-01/red flower (1).jpg' arrives as
 * 'dt%3D2026-01-01/red+flower+%281%29.jpg'. Handlers decode with
 * `decodeURIComponent(key.replace(/\+/g, ' '))`.
 *
 * Removal records carry no size and no eTag, as S3's do not.
 */
import { randomBytes } from 'node:crypto';
import type { S3EventRecord } from 'aws-lambda';
import type { BucketConfig, BucketNotification, ObjectEventName } from '../../../ports/objects.ts';
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

const keep = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_*/') keep[c.charCodeAt(0)] = 1;

/** A key as S3 writes it in event records (see the top of this file). */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    if (byte < 128 && keep[byte]) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The sequencer S3 puts in records: upper-case hex, fixed width so later changes compare greater. */
export function sequencer(seq: number): string {
  return seq.toString(16).toUpperCase().padStart(16, '0');
}

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
  const object: S3EventRecord['s3']['object'] =
    change.size !== undefined && change.etag !== undefined
      ? { key: encodeEventKey(change.key), size: change.size, eTag: change.etag.replace(/"/g, ''), sequencer: sequencer(change.seq) }
      : ({ key: encodeEventKey(change.key), sequencer: sequencer(change.seq) } as S3EventRecord['s3']['object']);
  return matching.map(({ rule, i }) => ({
    rule,
    record: {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'local',
      eventTime: new Date(change.at).toISOString(),
      eventName: change.eventName,
      userIdentity: { principalId: principal },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: ruleId(rule, i),
        bucket: { name: change.bucket, ownerIdentity: { principalId: principal }, arn: `arn:aws:s3:::${change.bucket}` },
        object,
      },
    },
  }));
}
