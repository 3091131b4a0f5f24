/**
 * The object store port: buckets of objects with S3 semantics.
 *
 * Writes are atomic: a reader sees the old object or the new one, never part of one, and a crash
 * mid-write leaves nothing visible. Each change that matches a bucket's notification rules records
 * an event in the S3 event record shape in the same transaction as the change (an outbox), so no
 * event is lost and none is emitted for a write that did not happen.
 *
 * Left out on purpose: versioning, multipart upload, ACLs and storage classes.
 */
import type { Readable } from 'node:stream';
import type { S3EventRecord } from 'aws-lambda';

export type ObjectEventName = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectRemoved:Delete';

import type { BucketConfig } from '../core/resources/configs.ts';

export type { BucketConfig, BucketNotification } from '../core/resources/configs.ts';

export interface PutObjectInput {
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface ObjectHead {
  bucket: string;
  key: string;
  size: number;
  /** MD5 of the content in hex, quoted as S3 does: "\"9e107d9d372bb6826bd81d3542a419d6\"". */
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: number;
}

export interface ListOptions {
  prefix?: string;
  /** Group keys sharing the part after the prefix up to this string into common prefixes. */
  delimiter?: string;
  /** At most this many keys and common prefixes together (default and cap 1000). */
  maxKeys?: number;
  continuationToken?: string;
  /** List keys after this one. */
  startAfter?: string;
}

export interface ListResult {
  objects: ObjectHead[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

/** An event waiting in the outbox for a non-queue target. */
export interface OutboxEvent {
  id: number;
  target: string;
  record: S3EventRecord;
}

export interface ObjectStore {
  declare(config: BucketConfig): Promise<void>;
  list(bucket: string, options?: ListOptions): Promise<ListResult>;
  put(bucket: string, key: string, body: Buffer | string | Uint8Array | Readable, input?: PutObjectInput): Promise<ObjectHead>;
  get(bucket: string, key: string): Promise<{ head: ObjectHead; body: Buffer }>;
  getStream(bucket: string, key: string): Promise<{ head: ObjectHead; body: Readable }>;
  head(bucket: string, key: string): Promise<ObjectHead>;
  /** Deleting a key that does not exist succeeds, as in S3. */
  delete(bucket: string, key: string): Promise<void>;
  copy(from: { bucket: string; key: string }, to: { bucket: string; key: string }): Promise<ObjectHead>;
  /**
   * The filesystem path of an object, for engines (DuckDB) that read files directly; undefined on
   * backends without one.
   */
  localPath?(bucket: string, key: string): string | undefined;
  /** Events waiting for the runtime, oldest first. */
  pendingEvents(limit?: number): Promise<OutboxEvent[]>;
  /** Marks outbox events as delivered. */
  ackEvents(ids: number[]): Promise<void>;
}
