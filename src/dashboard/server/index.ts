/**
 * The dashboard's HTTP server (node:http, no framework): the JSON API under /api that the page and
 * scripts use, the event stream, and the page's own files. It reads and steers an open app through
 * the composition root's handle (src/root), never a backend directly, so it serves any backend.
 *
 *   const app = await openApp(spec, { local: { dir } });
 *   const dash = await startDashboard(app);          // http://127.0.0.1:4747/
 *   ...
 *   await dash.close();
 *
 * Bound to loopback by default; bound elsewhere (or with `publicBind`) it requires a token
 * (security.ts). The default port is defaults.dashboard.port; when it is taken a free port is used
 * and `portInUse` says so. An explicit port that is taken is an error.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaults } from '../../core/defaults.ts';
import { ValidationError } from '../../core/errors.ts';
import type { App } from '../../root/open-app.ts';
import type { DashboardDeps } from './context.ts';
import { appPayload, appRoutes } from './handlers/app.ts';
import { configRoutes } from './handlers/config.ts';
import { jobRoutes } from './handlers/jobs.ts';
import { lakeRoutes } from './handlers/lake.ts';
import { queueRoutes } from './handlers/queues.ts';
import { runRoutes } from './handlers/runs.ts';
import { Body, HttpError, Query, errorReply, readJson, sendJson } from './http.ts';
import { Router } from './router.ts';
import { QueueSampler } from './sampler.ts';
import { checkRequest, isLoopback, makePolicy } from './security.ts';
import { EventStreams } from './sse.ts';
import { StaticFiles } from './static.ts';
import { Watcher } from './watcher.ts';

export interface DashboardOptions {
  /** @defaultValue defaults.dashboard.host (127.0.0.1) */
  host?: string;
  /** 0: any free port. @defaultValue defaults.dashboard.port, or a free port when that one is taken */
  port?: number;
  /** The token required beyond loopback. @defaultValue $BATON_DASHBOARD_TOKEN, else generated */
  token?: string;
  /** Require the token even on loopback (as when bound beyond it). */
  publicBind?: boolean;
  /** The page's folder. @defaultValue the `page` folder beside this one */
  pageDir?: string;
  /** @defaultValue defaults.dashboard.sampleEveryMs */
  sampleEveryMs?: number;
  /** @defaultValue defaults.dashboard.historyMs */
  historyMs?: number;
  /** @defaultValue defaults.dashboard.pingMs */
  pingMs?: number;
  /** Where background failures (a sample that failed) are reported. @defaultValue ignored */
  onError?: (where: string, err: unknown) => void;
  env?: NodeJS.ProcessEnv;
}

export interface DashboardServer {
  /** The page's URL (with ?token= when a token is required). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Set when a token is required. */
  readonly token: string | undefined;
  /** The default port, when it was taken and another was used. */
  readonly portInUse: number | undefined;
  /**
   * Serves another version of the app from now on (baton dev, after a saved config is applied:
   * the same backend and state, new resources and functions): every endpoint reads it, and each
   * open page gets an `app` event with the new graph and its counts, so it redraws without a reload.
   */
  setApp(app: App): Promise<void>;
  close(): Promise<void>;
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startDashboard(app: App, options: DashboardOptions = {}): Promise<DashboardServer> {
  const env = options.env ?? process.env;
  const host = options.host ?? defaults.dashboard.host;
  const wanted = options.port ?? defaults.dashboard.port;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) throw new ValidationError(`dashboard: port ${String(wanted)} must be a whole number from 0 to 65535 (0: any free port).`);
  const needsToken = options.publicBind === true || !isLoopback(host);
  const token = needsToken ? (options.token ?? env[defaults.dashboard.tokenEnv] ?? randomBytes(24).toString('base64url')) : undefined;
  const onError = options.onError ?? (() => undefined);
  const now = () => app.backend.clock.now();

  const everyMs = options.sampleEveryMs ?? defaults.dashboard.sampleEveryMs;
  const sampler = new QueueSampler(() => deps.app, everyMs, options.historyMs ?? defaults.dashboard.historyMs);
  const streams = new EventStreams(options.pingMs ?? defaults.dashboard.pingMs);
  const background = new Set<Promise<unknown>>();
  const deps: DashboardDeps = {
    app,
    sampler,
    now,
    track(work) {
      const p = work.catch((err: unknown) => onError('action', err)).finally(() => background.delete(p));
      background.add(p);
    },
  };
  const router = new Router();
  appRoutes(router, deps);
  runRoutes(router, deps);
  queueRoutes(router, deps);
  jobRoutes(router, deps);
  configRoutes(router, deps);
  lakeRoutes(router, deps);
  router.get('/api/events', async ({ res }) => {
    streams.open(res);
    return undefined;
  });
  const files = new StaticFiles(options.pageDir);
  // A failing poll (the state locked, a store gone) fails every second: say so once per distinct error.
  let lastSamplingError = '';
  const watcher = new Watcher(() => deps.app, sampler, streams, now, (err) => {
    const text = err instanceof Error ? err.message : String(err);
    if (text !== lastSamplingError) onError('sampling', err);
    lastSamplingError = text;
  });

  let policy = makePolicy(host, wanted, token);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
    try {
      checkRequest(policy, req, url, api);
      if (!api) {
        if ((req.method === 'GET' || req.method === 'HEAD') && files.serve(req, res, url.pathname)) return;
        throw new HttpError(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, req.method === 'GET' ? 'NotFoundError' : 'MethodNotAllowed', `No page at ${url.pathname}; the dashboard is at /, its API under /api.`);
      }
      const match = router.match(req.method ?? 'GET', url.pathname);
      if (!match) throw new HttpError(404, 'NotFoundError', `No API endpoint ${req.method} ${url.pathname}; see the list in the dashboard's API notes (GET /api/app, /api/runs, /api/queues, ...).`);
      if ('allowed' in match) {
        res.setHeader('allow', match.allowed.join(', '));
        throw new HttpError(405, 'MethodNotAllowed', `${url.pathname} takes ${match.allowed.join(' or ')}, not ${req.method}.`);
      }
      const where = `${req.method} ${url.pathname}`;
      const body = new Body(req.method === 'POST' ? await readJson(req, defaults.dashboard.maxBodyBytes) : {}, where);
      const out = await match.handler({ req, res, url, params: match.params, query: new Query(url.searchParams, where), body });
      if (out !== undefined && !res.headersSent) sendJson(res, 200, out);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, body } = errorReply(err);
      if (status >= 500) onError(`${req.method} ${url.pathname}`, err);
      sendJson(res, status, body);
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 5000;

  let portInUse: number | undefined;
  try {
    await listen(server, host, wanted);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port !== undefined) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ValidationError(`dashboard: port ${wanted} on ${host} is in use.`, { action: 'Pick another with --port, or --port 0 for any free one.', cause: err });
      throw err;
    }
    portInUse = wanted;
    await listen(server, host, 0);
  }
  const port = (server.address() as AddressInfo).port;
  policy = makePolicy(host, port, token);
  watcher.start();

  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    host,
    port,
    token,
    portInUse,
    async setApp(next) {
      deps.app = next;
      watcher.appChanged();
      if (streams.size > 0) streams.send('app', await appPayload(deps));
    },
    close() {
      closed ??= (async () => {
        await watcher.stop();
        streams.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.allSettled([...background]);
      })();
      return closed;
    },
  };
}
