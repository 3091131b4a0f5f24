// A local stand-in for the seed's paginated REST API: `total` elements, served a page at a time
// (offset pagination, at most `pageSize` per page), each page answered after `latencyMs` so a
// page costs what a real upstream call costs. It counts every request, so the demo can prove the
// time-window guard: once the day's pull is done, further ticks make no calls at all.
import { createServer, type Server } from 'node:http';

export interface Element {
  id: number;
  sku: string;
  name: string;
  category: string;
  price: number;
  updated_at: string;
}

export interface ElementsPage {
  total: number;
  offset: number;
  limit: number;
  items: Element[];
  /** The offset of the next page; null on the last page. */
  next: number | null;
}

export interface MockApi {
  url: string;
  /** Requests to /v1/elements so far. */
  readonly requests: number;
  /** The offset of every page request, in order. */
  readonly offsets: readonly number[];
  close(): Promise<void>;
}

const categories = ['bond', 'equity', 'fx', 'future', 'option'];

export function element(id: number): Element {
  return {
    id,
    sku: `EL-${String(id).padStart(5, '0')}`,
    name: `Instrument ${id} & "Co" <${categories[id % categories.length]}>`, // XML needs escaping
    category: categories[id % categories.length]!,
    price: Math.round(((id * 7919) % 100_000) + 1) / 100,
    updated_at: new Date(Date.UTC(2026, 0, 1) + id * 60_000).toISOString(),
  };
}

/** Starts the API on 127.0.0.1 on a free port. */
export async function startMockApi(options: { total: number; pageSize: number; latencyMs: number }): Promise<MockApi> {
  const offsets: number[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/v1/elements') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no route ${req.method} ${url.pathname}` }));
      return;
    }
    const offset = Number(url.searchParams.get('offset') ?? '0');
    const limit = Math.min(options.pageSize, Number(url.searchParams.get('limit') ?? options.pageSize));
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'offset must be an integer >= 0 and limit an integer >= 1' }));
      return;
    }
    offsets.push(offset);
    const end = Math.min(options.total, offset + limit);
    const items = Array.from({ length: Math.max(0, end - offset) }, (_, i) => element(offset + i + 1));
    const page: ElementsPage = { total: options.total, offset, limit, items, next: end < options.total ? end : null };
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page)), options.latencyMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the mock API did not get a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get requests() {
      return offsets.length;
    },
    offsets,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
