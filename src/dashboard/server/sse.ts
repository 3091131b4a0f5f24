/**
 * GET /api/events: one server-sent event stream per open page. Events are written to every
 * stream as the watcher finds changes (at most once a second); a `: ping` comment every 15 s keeps
 * proxies from closing an idle stream. A stream that cannot keep up (its socket buffer over
 * 1 MiB) is closed rather than buffered without bound; the page's EventSource reconnects.
 */
import type { ServerResponse } from 'node:http';

const MAX_BUFFERED = 1024 * 1024;

export class EventStreams {
  private readonly clients = new Set<ServerResponse>();
  private readonly ping: NodeJS.Timeout;

  constructor(pingMs: number) {
    this.ping = setInterval(() => this.write(': ping\n\n'), pingMs);
    this.ping.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  open(res: ServerResponse, first?: Array<{ event: string; data: unknown }>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    for (const e of first ?? []) res.write(frame(e.event, e.data));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  send(event: string, data: unknown): void {
    if (this.clients.size) this.write(frame(event, data));
  }

  private write(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  close(): void {
    clearInterval(this.ping);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
