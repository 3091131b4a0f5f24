/**
 * Firehose over HTTP, for `baton dev`: the Amazon Data Firehose JSON protocol (POST with
 * `X-Amz-Target: Firehose_20150804.PutRecordBatch` or `.PutRecord`, records' `Data` in base64),
 * so an AWS SDK client pointed at the endpoint works unchanged, and a plain form for curl:
 * `POST /firehose/<name>` with a JSON array of records (or `{ "records": [...] }`).
 *
 * A response is sent only after the records are durable (putRecordBatch resolves after the
 * write-ahead commit). Errors use Firehose's shape: 400 `InvalidArgumentException` for bad input
 * and limits, 404 `ResourceNotFoundException` for an unknown stream, and, as AWS does, 400
 * `SerializationException` for the whole request when a record's `Data` is not valid base64
 * (nothing of it is stored).
 *
 * Bound to 127.0.0.1 by default; who may post is checked first (http-guard.ts: no browser origins,
 * the Host must be this endpoint's, and a token beyond loopback).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { BatonError, NotFoundError, TooLargeError, ValidationError } from '../../core/errors.ts';
import { defaults } from '../../core/defaults.ts';
import { isLoopback, isWildcard, makeGuard, newToken, tokenPathPrefix } from './http-guard.ts';
import type { Firehose, FirehoseRecord } from './index.ts';

export interface HttpResponse {
  status: number;
  body: unknown;
}

const TARGET = 'Firehose_20150804.';

/** A request AWS's JSON protocol cannot deserialize: the whole request fails, as Firehose answers it. */
class SerializationError extends ValidationError {}

function awsError(err: unknown): HttpResponse {
  if (err instanceof SerializationError) return { status: 400, body: { __type: 'SerializationException', message: err.message } };
  if (err instanceof NotFoundError) return { status: 404, body: { __type: 'ResourceNotFoundException', message: err.message } };
  if (err instanceof ValidationError || err instanceof TooLargeError) return { status: 400, body: { __type: 'InvalidArgumentException', message: err.message } };
  if (err instanceof BatonError) return { status: 503, body: { __type: 'ServiceUnavailableException', message: err.message } };
  return { status: 500, body: { __type: 'InternalFailure', message: err instanceof Error ? err.message : String(err) } };
}

function find(hoses: ReadonlyMap<string, Firehose>, name: unknown): Firehose {
  const hose = typeof name === 'string' ? hoses.get(name) : undefined;
  if (!hose) throw new NotFoundError(`Firehose ${JSON.stringify(name)} is not declared.`, { action: `Declared: ${[...hoses.keys()].join(', ') || '(none)'}.` });
  return hose;
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function data(r: unknown, where: string): Buffer {
  const d = (r as { Data?: unknown } | null)?.Data;
  if (typeof d !== 'string') throw new ValidationError(`${where} has no Data (base64 text).`);
  if (!base64.test(d)) {
    const why = d.length % 4 !== 0 ? `Base64 encoded length is expected a multiple of 4 bytes but found: ${d.length}` : 'it has characters outside the base64 alphabet';
    throw new SerializationError(`${where}.Data can not be converted to a Blob: ${why}.`, { action: 'Send each record\'s Data base64-encoded (the AWS SDK does this itself); nothing of this request was stored.' });
  }
  return Buffer.from(d, 'base64');
}

/** Handles one request; `target` is the X-Amz-Target header, `path` the URL path. */
export async function handleFirehoseRequest(hoses: ReadonlyMap<string, Firehose>, target: string | undefined, path: string, text: string): Promise<HttpResponse> {
  try {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ValidationError('The request body is not JSON.', { action: 'Send a JSON body.' });
    }
    if (target === `${TARGET}PutRecordBatch`) {
      const b = body as { DeliveryStreamName?: unknown; Records?: unknown };
      if (!Array.isArray(b.Records)) throw new ValidationError('PutRecordBatch needs Records: [{ Data }].');
      const r = await find(hoses, b.DeliveryStreamName).putRecordBatch(b.Records.map((x, i) => data(x, `Records[${i}]`)));
      return { status: 200, body: { FailedPutCount: r.failedPutCount, Encrypted: false, RequestResponses: r.requestResponses.map((x) => ({ RecordId: x.recordId })) } };
    }
    if (target === `${TARGET}PutRecord`) {
      const b = body as { DeliveryStreamName?: unknown; Record?: unknown };
      const r = await find(hoses, b.DeliveryStreamName).putRecord(data(b.Record, 'Record'));
      return { status: 200, body: { RecordId: r.recordId, Encrypted: false } };
    }
    const m = /^\/firehose\/([^/?]+)/.exec(path);
    if (target === undefined && m) {
      const records = Array.isArray(body) ? body : (body as { records?: unknown } | null)?.records;
      if (!Array.isArray(records)) throw new ValidationError('The body must be a JSON array of records, or { "records": [...] }.');
      const r = await find(hoses, decodeURIComponent(m[1]!)).putRecordBatch(records as FirehoseRecord[]);
      return { status: 200, body: r };
    }
    throw new ValidationError(`Unknown request: target ${JSON.stringify(target ?? null)}, path ${JSON.stringify(path)}.`, { action: `Use X-Amz-Target ${TARGET}PutRecordBatch or PutRecord, or POST /firehose/<name>.` });
  } catch (err) {
    return awsError(err);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TooLargeError(`The request body is over ${limit} bytes.`, { action: 'Send fewer records per request.' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface ServeOptions {
  /** The address to bind. @defaultValue '127.0.0.1' */
  host?: string | undefined;
  /** The token every request must carry; beyond loopback one is generated when none is given. */
  token?: string | undefined;
}

export interface FirehoseEndpoint {
  /** Where to post; beyond loopback it carries the token (`/_token/<token>`), so printing it prints what a client needs. */
  url: string;
  /** The token requests must carry, if any. */
  token: string | undefined;
  server: Server;
  close(): Promise<void>;
}

/** Serves the firehoses on `host` (127.0.0.1 by default; port 0: any free port). */
export async function serveFirehoses(hoses: ReadonlyMap<string, Firehose>, port = 0, options: ServeOptions = {}): Promise<FirehoseEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? (isLoopback(host) ? undefined : newToken());
  // Base64 grows data by 4/3; allow for it and the JSON around it.
  const limit = Math.ceil(defaults.data.firehose.maxBatchBytes * 1.4) + 64 * 1024;
  let guard: ReturnType<typeof makeGuard> | undefined;
  const server = createServer((req, res) => {
    const reply = (r: HttpResponse) => res.writeHead(r.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(r.body));
    const verdict = guard!(req.headers, req.url ?? '/');
    if (!verdict.ok) {
      // The body is not read: a refused request costs nothing more.
      res.setHeader('connection', 'close');
      reply({ status: verdict.status, body: { __type: verdict.type, message: verdict.message } });
      return;
    }
    readBody(req, limit)
      .then((text) => handleFirehoseRequest(hoses, req.headers['x-amz-target'] as string | undefined, verdict.path, text))
      .then(reply, (err: unknown) => reply(awsError(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  guard = makeGuard({ host, port: bound, token });
  const shown = isWildcard(host) ? hostname() : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}${token !== undefined ? `${tokenPathPrefix}${encodeURIComponent(token)}` : ''}`,
    token,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
