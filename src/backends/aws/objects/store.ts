/**
 * The object port over Amazon S3: buckets are `<prefix><name>`, objects are S3 objects (single
 * PutObject, GetObject, HeadObject, ListObjectsV2, DeleteObject, CopyObject), ETag and Last-Modified
 * are S3's, user metadata is x-amz-meta-*. Keys, content types and metadata are checked as on
 * local before any request (src/core/object-keys.ts, local's pure input checks).
 *
 * What S3 gives differently, so the aws backend does not promise it (README backend table):
 * - Events are S3 notifications, not an outbox written with the change: S3 delivers them after the
 *   write, at least once, possibly out of order; a rule with a queue is a QueueConfiguration; any
 *   other target goes through Baton's internal SQS queue `baton-events` for pendingEvents/ackEvents
 *   (events.ts: not oldest first, and an unacked event reappears after a minute). Records carry
 *   the physical bucket name and AWS's region/principal. Real S3 refuses overlapping rules.
 * - No `localPath`: objects are not files here; engines read them over S3.
 * - Streams: @aws-sdk/lib-storage (multipart) is not a dependency, so a Readable of unknown
 *   length is buffered in memory and sent as one PutObject (S3's 5 GiB single-PUT cap applies).
 * - put and copy read the object's head back with HeadObject (one more request) so the head they
 *   return is S3's own (Last-Modified in whole seconds).
 * - A continuation token is S3's, wrapped so a token this store did not issue is refused.
 */
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { defaults } from '../../../core/defaults.ts';
import { NotFoundError, ValidationError, show } from '../../../core/errors.ts';
import { checkObjectKey } from '../../../core/object-keys.ts';
import type { BucketConfig, ListOptions, ListResult, ObjectHead, ObjectStore, OutboxEvent, PutObjectInput } from '../../../ports/objects.ts';
import { checkBucketConfig } from '../../shared/objects/buckets.ts';
import { checkInput } from '../../shared/objects/input.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { EventInbox } from './events.ts';
import { putNotifications } from './notifications.ts';

type Body = Buffer | string | Uint8Array | Readable;

const tokenPrefix = 'baton1.';

async function toBuffer(body: Body, where: string): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(parts);
  }
  throw new ValidationError(`The body of ${where} is ${show(body)}.`, { action: 'Pass a Buffer, a string, a Uint8Array or a Readable.' });
}

export class AwsObjectStore implements ObjectStore {
  private readonly inbox: EventInbox;

  constructor(private readonly ctx: AwsContext) {
    this.inbox = new EventInbox(ctx);
  }

  private at(op: string, bucket: string, key?: string) {
    return this.ctx.at('s3', op, key === undefined ? `bucket "${bucket}"` : `object ${show(key)} in bucket "${bucket}"`);
  }

  /** CreateBucket (an existing bucket of ours is fine), then the notification configuration. */
  async declare(config: BucketConfig): Promise<void> {
    const checked = checkBucketConfig(config);
    const Bucket = this.ctx.names.bucket(checked.name);
    await call(this.at('declare', checked.name), () => this.ctx.clients.s3.send(new CreateBucketCommand({ Bucket }))).catch((err: unknown) => {
      const cause = (err as { cause?: { name?: string } }).cause;
      if (cause?.name === 'BucketAlreadyOwnedByYou') return;
      throw err;
    });
    await putNotifications(this.ctx, checked);
  }

  async list(bucket: string, options: ListOptions = {}): Promise<ListResult> {
    for (const field of ['prefix', 'delimiter', 'continuationToken', 'startAfter'] as const) {
      const value = options[field];
      if (value !== undefined && typeof value !== 'string') {
        throw new ValidationError(`List option ${field} for bucket "${bucket}" is ${show(value)}, not a string.`, { action: `Pass ${field} as a string, or leave it out.` });
      }
    }
    const max = options.maxKeys ?? defaults.objects.maxKeys;
    if (!Number.isInteger(max) || max < 0) throw new ValidationError(`List option maxKeys for bucket "${bucket}" is ${show(max)}.`, { action: `Pass a whole number from 0 to ${defaults.objects.maxKeys}.` });
    let token: string | undefined;
    if (options.continuationToken !== undefined) {
      if (!options.continuationToken.startsWith(tokenPrefix)) {
        throw new ValidationError(`The continuation token ${show(options.continuationToken, 40)} for bucket "${bucket}" is not one this store issued.`, { action: 'Pass nextContinuationToken from the previous page unchanged.' });
      }
      token = options.continuationToken.slice(tokenPrefix.length);
    }
    const out = await call(this.at('list', bucket), () =>
      this.ctx.clients.s3.send(
        new ListObjectsV2Command({
          Bucket: this.ctx.names.bucket(bucket),
          MaxKeys: Math.min(max, defaults.objects.maxKeys),
          ...(options.prefix ? { Prefix: options.prefix } : {}),
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
          ...(options.startAfter ? { StartAfter: options.startAfter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      ),
    );
    // A listing has no content type or metadata: those are what HeadObject gives.
    const objects: ObjectHead[] = (out.Contents ?? []).map((o) => ({ bucket, key: o.Key!, size: o.Size ?? 0, etag: o.ETag ?? '', contentType: '', metadata: {}, lastModified: o.LastModified?.getTime() ?? 0 }));
    const truncated = out.IsTruncated === true && out.NextContinuationToken !== undefined;
    return { objects, commonPrefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix!), isTruncated: truncated, ...(truncated ? { nextContinuationToken: tokenPrefix + out.NextContinuationToken } : {}) };
  }

  async put(bucket: string, key: string, body: Body, input?: PutObjectInput): Promise<ObjectHead> {
    checkObjectKey(bucket, key);
    const { contentType, metadata } = checkInput(bucket, key, input);
    const bytes = await toBuffer(body, `the object ${show(key)} in bucket "${bucket}"`);
    await call(this.at('put', bucket, key), () =>
      this.ctx.clients.s3.send(new PutObjectCommand({ Bucket: this.ctx.names.bucket(bucket), Key: key, Body: bytes, ContentLength: bytes.length, ContentType: contentType, Metadata: metadata })),
    );
    return this.head(bucket, key);
  }

  async get(bucket: string, key: string): Promise<{ head: ObjectHead; body: Buffer }> {
    const { head, body } = await this.getStream(bucket, key);
    return { head, body: await toBuffer(body, `the object ${show(key)} in bucket "${bucket}"`) };
  }

  async getStream(bucket: string, key: string): Promise<{ head: ObjectHead; body: Readable }> {
    checkObjectKey(bucket, key);
    const out = await this.missing(bucket, key, 'get', () => this.ctx.clients.s3.send(new GetObjectCommand({ Bucket: this.ctx.names.bucket(bucket), Key: key })));
    const head = this.toHead(bucket, key, out);
    const body = out.Body instanceof Readable ? out.Body : Readable.from([]);
    return { head, body };
  }

  async head(bucket: string, key: string): Promise<ObjectHead> {
    checkObjectKey(bucket, key);
    const out = await this.missing(bucket, key, 'head', () => this.ctx.clients.s3.send(new HeadObjectCommand({ Bucket: this.ctx.names.bucket(bucket), Key: key })));
    return this.toHead(bucket, key, out);
  }

  async delete(bucket: string, key: string): Promise<void> {
    checkObjectKey(bucket, key);
    await call(this.at('delete', bucket, key), () => this.ctx.clients.s3.send(new DeleteObjectCommand({ Bucket: this.ctx.names.bucket(bucket), Key: key })));
  }

  async copy(from: { bucket: string; key: string }, to: { bucket: string; key: string }): Promise<ObjectHead> {
    checkObjectKey(from.bucket, from.key);
    checkObjectKey(to.bucket, to.key);
    if (from.bucket === to.bucket && from.key === to.key) {
      throw new ValidationError(`Cannot copy the object ${show(from.key)} in bucket "${from.bucket}" onto itself without changing it (S3 refuses this too).`, {
        action: 'Copy to another key, or put the object again to change it.',
      });
    }
    const source = `${this.ctx.names.bucket(from.bucket)}/${encodeURIComponent(from.key).replace(/%2F/g, '/')}`;
    try {
      await call(this.at('copy', to.bucket, to.key), () => this.ctx.clients.s3.send(new CopyObjectCommand({ Bucket: this.ctx.names.bucket(to.bucket), Key: to.key, CopySource: source, MetadataDirective: 'COPY' })));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      // Say which is missing, as local does: the destination bucket, else the source.
      await call(this.at('copy', to.bucket), () => this.ctx.clients.s3.send(new HeadBucketCommand({ Bucket: this.ctx.names.bucket(to.bucket) })));
      await this.head(from.bucket, from.key);
      throw err;
    }
    return this.head(to.bucket, to.key);
  }

  pendingEvents(limit: number = defaults.objects.pendingEvents): Promise<OutboxEvent[]> {
    return this.inbox.pending(limit);
  }

  ackEvents(ids: number[]): Promise<void> {
    return this.inbox.ack(ids);
  }

  private toHead(bucket: string, key: string, out: { ContentLength?: number; ETag?: string; ContentType?: string; Metadata?: Record<string, string>; LastModified?: Date }): ObjectHead {
    return {
      bucket,
      key,
      size: out.ContentLength ?? 0,
      etag: out.ETag ?? '',
      contentType: out.ContentType ?? defaults.objects.contentType,
      metadata: Object.fromEntries(Object.entries(out.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      lastModified: out.LastModified?.getTime() ?? 0,
    };
  }

  /**
   * Runs a read of one object; a 404 (HEAD has no body to say which) is told apart with
   * HeadBucket: a missing bucket says to declare it, a missing key names the key.
   */
  private async missing<T>(bucket: string, key: string, op: string, run: () => Promise<T>): Promise<T> {
    try {
      return await call(this.at(op, bucket, key), run);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      await call(this.at(op, bucket), () => this.ctx.clients.s3.send(new HeadBucketCommand({ Bucket: this.ctx.names.bucket(bucket) })));
      throw new NotFoundError(`The object ${show(key)} does not exist in bucket "${bucket}".`, { cause: err });
    }
  }
}
