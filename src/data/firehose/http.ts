/**
 * Firehose over HTTP, for `baton dev`: the Amazon Data Firehose JSON protocol (POST with
 * `X-Amz-Target: Firehose_20150804.PutRecordBatch` or `.PutRecord`, records' `Data` in base64),
 * so an AWS SDK client pointed at the endpoint works unchanged, and a plain form for curl:
 * `POST /firehose/<name>` with a JSON array of records (or `{ "records": [...] }`).
 *
 * A response is sent only after the records are durable (putRecordBatch resolves after the
 * write-ahead commit). Errors use Firehose's shape: 400 `InvalidArgumentException` for bad input
 * and limits, 404 `ResourceNotFoundException` for an unknown stream.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatonError, NotFoundError, TooLargeError, ValidationError } from '../../core/errors.ts';
import { defaults } from '../../core/defaults.ts';
import type { Firehose, FirehoseRecord } from './index.ts';

export interface HttpResponse {
  status: number;
  body: unknown;
}

const TARGET = 'Firehose_20150804.';

function awsError(err: unknown): HttpResponse {
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

function data(r: unknown, where: string): Buffer {
  const d = (r as { Data?: unknown } | null)?.Data;
  if (typeof d !== 'string') throw new ValidationError(`${where} has no Data (base64 text).`);
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

/** Serves the firehoses on 127.0.0.1 (port 0: any free port). */
export async function serveFirehoses(hoses: ReadonlyMap<string, Firehose>, port = 0): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  // Base64 grows data by 4/3; allow for it and the JSON around it.
  const limit = Math.ceil(defaults.data.firehose.maxBatchBytes * 1.4) + 64 * 1024;
  const server = createServer((req, res) => {
    const reply = (r: HttpResponse) => res.writeHead(r.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(r.body));
    readBody(req, limit)
      .then((text) => handleFirehoseRequest(hoses, req.headers['x-amz-target'] as string | undefined, req.url ?? '/', text))
      .then(reply, (err: unknown) => reply(awsError(err)));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
