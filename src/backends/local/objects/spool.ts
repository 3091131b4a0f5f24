/**
 * Writes a body to a temporary file, computing its MD5 and size on the way, and syncs it to disk
 * before returning, so the file is complete before any intent names it. On failure the temporary
 * file is removed and the error is passed on.
 */
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { TooLargeError, ValidationError, show } from '../../../core/errors.ts';
import { defaults } from '../../../core/defaults.ts';
import { tempName, type Layout } from './layout.ts';

export type Body = Buffer | string | Uint8Array | Readable;

export interface Spooled {
  /** Name inside layout.tmp. */
  tmp: string;
  size: number;
  /** Quoted hex MD5, as S3's ETag. */
  etag: string;
}

function isAsyncIterable(body: unknown): body is AsyncIterable<unknown> {
  return typeof body === 'object' && body !== null && typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** The body's chunks as Buffers; ValidationError for something that is not a body. */
async function* chunks(body: unknown, where: string): AsyncGenerator<Buffer> {
  if (typeof body === 'string') yield Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) yield Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  else if (isAsyncIterable(body)) {
    for await (const chunk of body) {
      if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
      else if (chunk instanceof Uint8Array) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      else throw new ValidationError(`The body stream for ${where} produced ${show(chunk, 40)}, not bytes.`, { action: 'Stream Buffers or strings (not object mode).' });
    }
  } else {
    throw new ValidationError(`The body for ${where} is ${show(body, 40)}.`, { action: 'Pass a Buffer, a Uint8Array, a string or a Readable stream.' });
  }
}

/** Streams `body` into a new temporary file; `where` names the object for error messages. */
export async function spool(layout: Layout, body: Body, where: string): Promise<Spooled> {
  const tmp = tempName();
  const path = join(layout.tmp, tmp);
  const hash = createHash('md5');
  let size = 0;
  const file = await open(path, 'wx');
  try {
    for await (const chunk of chunks(body, where)) {
      size += chunk.length;
      if (size > defaults.objects.maxObjectBytes) {
        throw new TooLargeError(`The body for ${where} is over ${defaults.objects.maxObjectBytes} bytes, the most one put may store (as S3).`, {
          action: 'Split the data into several objects.',
        });
      }
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) offset += (await file.write(chunk, offset)).bytesWritten;
    }
    await file.sync();
    await file.close();
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    throw err;
  }
  return { tmp, size, etag: `"${hash.digest('hex')}"` };
}
