// A mock external ETL service (the seed's Birst API) on 127.0.0.1: upload a report to start a job,
// poll the job's status, cancel it. A job takes `msPerRow` per row of the uploaded report, so a
// bigger report takes longer. It needs no credentials: the example never carries any.
//
//   POST   /jobs      body: the report (JSON { rows: [...] }); header Idempotency-Key
//                     -> 201 { jobId, status } (200 and the same job when the key was seen before)
//   GET    /jobs/:id  -> 200 { jobId, report, status: running|complete|cancelled, rowsLoaded, rows }
//   DELETE /jobs/:id  -> 200 { jobId, status: 'cancelled' } (a running job stops)
//   GET    /health    -> 200 { ok: true }
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EtlJob {
  jobId: string;
  report: string;
  rows: number;
  startedAt: number;
  durationMs: number;
  cancelled: boolean;
  /** Status requests this job answered. */
  polls: number;
}

export interface EtlServer {
  url: string;
  jobs: Map<string, EtlJob>;
  /** Requests by kind, for the demo's checks. */
  requests: { start: number; status: number; cancel: number };
  statusOf(job: EtlJob): 'running' | 'complete' | 'cancelled';
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startEtlServer(opts: { msPerRow: number }): Promise<EtlServer> {
  const jobs = new Map<string, EtlJob>();
  const byKey = new Map<string, string>();
  const requests = { start: 0, status: 0, cancel: 0 };
  const statusOf = (job: EtlJob) => (job.cancelled ? 'cancelled' : Date.now() - job.startedAt >= job.durationMs ? 'complete' : 'running');
  const view = (job: EtlJob) => {
    const status = statusOf(job);
    const rowsLoaded = status === 'complete' ? job.rows : Math.min(job.rows, Math.floor((Date.now() - job.startedAt) / opts.msPerRow));
    return { jobId: job.jobId, report: job.report, status, rows: job.rows, rowsLoaded };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/health') return reply(res, 200, { ok: true });
    const m = /^\/jobs(?:\/([\w-]+))?$/.exec(url.pathname);
    if (!m) return reply(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    const id = m[1];
    if (req.method === 'POST' && !id) {
      requests.start++;
      const key = req.headers['idempotency-key'];
      const report = url.searchParams.get('report') ?? 'unnamed';
      if (typeof key === 'string' && byKey.has(key)) return reply(res, 200, view(jobs.get(byKey.get(key)!)!));
      let rows: number;
      try {
        const parsed = JSON.parse(await readBody(req)) as { rows?: unknown };
        if (!Array.isArray(parsed.rows)) throw new Error('expected { rows: [...] }');
        rows = parsed.rows.length;
      } catch (err) {
        return reply(res, 400, { error: `report ${report} is not a report: ${(err as Error).message}` });
      }
      const job: EtlJob = { jobId: `job-${jobs.size + 1}`, report, rows, startedAt: Date.now(), durationMs: rows * opts.msPerRow, cancelled: false, polls: 0 };
      jobs.set(job.jobId, job);
      if (typeof key === 'string') byKey.set(key, job.jobId);
      return reply(res, 201, view(job));
    }
    const job = id ? jobs.get(id) : undefined;
    if (!job) return reply(res, 404, { error: `no job ${id ?? ''}` });
    if (req.method === 'GET') {
      requests.status++;
      job.polls++;
      return reply(res, 200, view(job));
    }
    if (req.method === 'DELETE') {
      requests.cancel++;
      if (statusOf(job) === 'running') job.cancelled = true;
      return reply(res, 200, view(job));
    }
    return reply(res, 405, { error: `${req.method} not allowed on ${url.pathname}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, { error: String(err) }));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    requests,
    statusOf,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
