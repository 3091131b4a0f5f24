import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. '/hook?a'. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The fake clock's time when the request arrived. */
  at: number;
}

export interface WebhookServer {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1 (port 0) for webhook tests. `respond(n, url)` gives the status
 * for the n-th request (1-based) and its path and query, or 'hang' to never answer (to test
 * timeouts).
 */
export async function startWebhookServer(respond: (n: number, url: string) => number | 'hang', now: () => number): Promise<WebhookServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      requests.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: now() });
      const status = respond(requests.length, url);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
