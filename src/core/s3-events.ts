/**
 * S3 event records as S3 sends them (event message structure version 2.1): what a bucket's
 * notification delivers (backends/local/objects/events.ts) and what `baton events s3` and
 * `baton invoke --trigger` hand a handler, built here once.
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
import type { S3EventRecord } from 'aws-lambda';

export type S3EventName = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectRemoved:Delete';

export interface S3RecordInput {
  bucket: string;
  /** The key as stored (it is encoded here). */
  key: string;
  eventName: S3EventName;
  /** When the change happened (ms since the epoch). */
  at: number;
  /** Change counter value (becomes the sequencer). */
  seq: number;
  /** For created events: size in bytes and the etag (quotes are dropped, as S3's records have none). */
  size?: number;
  etag?: string;
  /** The notification rule's id (s3.configurationId). */
  configurationId: string;
  region: string;
  /** x-amz-request-id and x-amz-id-2 of the request that made the change. */
  requestId: string;
  hostId: string;
  principalId: string;
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

export function s3Record(r: S3RecordInput): S3EventRecord {
  const object: S3EventRecord['s3']['object'] =
    r.size !== undefined && r.etag !== undefined
      ? { key: encodeEventKey(r.key), size: r.size, eTag: r.etag.replace(/"/g, ''), sequencer: sequencer(r.seq) }
      : ({ key: encodeEventKey(r.key), sequencer: sequencer(r.seq) } as S3EventRecord['s3']['object']);
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: r.region,
    eventTime: new Date(r.at).toISOString(),
    eventName: r.eventName,
    userIdentity: { principalId: r.principalId },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': r.requestId, 'x-amz-id-2': r.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: r.configurationId,
      bucket: { name: r.bucket, ownerIdentity: { principalId: r.principalId }, arn: `arn:aws:s3:::${r.bucket}` },
      object,
    },
  };
}
