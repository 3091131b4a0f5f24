/**
 * Who may post to the firehose endpoint. A web page the user visits can make the browser POST to
 * any address, 127.0.0.1 included (CSRF), and a DNS name the attacker controls can be re-pointed
 * at 127.0.0.1 so the page's requests count as same-origin (DNS rebinding). So:
 *   - a request with a browser's Origin (or Sec-Fetch-Site) header is refused: SDKs, curl and
 *     servers send neither;
 *   - the Host header must name the address the endpoint is bound to (or localhost / the
 *     machine's own addresses), never a rebound DNS name;
 *   - bound beyond loopback, every request must carry the endpoint's token: `Authorization:
 *     Bearer <token>`, an `X-Baton-Token` header, or the path prefix `/_token/<token>` (so an AWS
 *     SDK client whose endpoint is `http://host:port/_token/<token>` works unchanged).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

export const tokenPathPrefix = '/_token/';

export interface GuardOptions {
  /** The address the server is bound to. */
  host: string;
  port: number;
  /** The token requests must carry; required when `host` is not loopback. */
  token?: string | undefined;
}

export type Verdict = { ok: true; path: string } | { ok: false; status: number; type: string; message: string };

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** A fresh random token (URL-safe). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Host names the endpoint answers to. */
function allowedHosts(bound: string): Set<string> {
  const names = new Set(['localhost', bound.toLowerCase()]);
  if (isLoopback(bound)) for (const n of ['127.0.0.1', '::1']) names.add(n);
  if (isWildcard(bound)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(i.address.toLowerCase());
  }
  return names;
}

/** The host part of a Host header ('[::1]:8080' → '::1', 'a.b:80' → 'a.b'). */
function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && isIP(h) !== 6 ? h.slice(0, colon) : h;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function deny(status: number, type: string, message: string): Verdict {
  return { ok: false, status, type, message };
}

export function makeGuard(options: GuardOptions): (headers: IncomingHttpHeaders, path: string) => Verdict {
  const hosts = allowedHosts(options.host);
  const { token } = options;
  return (headers, rawPath) => {
    if (headers.origin !== undefined || headers['sec-fetch-site'] !== undefined) {
      return deny(403, 'AccessDeniedException', `Requests from a web browser are refused (Origin ${JSON.stringify(headers.origin ?? headers['sec-fetch-site'])}): the firehose endpoint takes records from SDKs, curl and servers only.`);
    }
    const host = headers.host;
    if (!host || !hosts.has(hostOf(host))) {
      return deny(403, 'AccessDeniedException', `Host ${JSON.stringify(host ?? null)} is not this endpoint's address (${options.host}:${options.port}); a request naming another host is refused (DNS rebinding).`);
    }
    let path = rawPath;
    if (token === undefined) return { ok: true, path };
    let given: string | undefined;
    const auth = headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) given = auth.slice(7).trim();
    const header = headers['x-baton-token'];
    if (given === undefined && typeof header === 'string') given = header.trim();
    if (path.startsWith(tokenPathPrefix)) {
      const rest = path.slice(tokenPathPrefix.length);
      const end = rest.search(/[/?]/);
      given ??= decodeURIComponent(end < 0 ? rest : rest.slice(0, end));
      path = end < 0 ? '/' : rest.slice(end).replace(/^\?/, '/?');
    }
    if (given === undefined || !same(given, token)) {
      return deny(401, 'UnauthorizedException', `${given === undefined ? 'No token' : 'A wrong token'} was given: the firehose endpoint on ${options.host}:${options.port} takes requests with its token only.`);
    }
    return { ok: true, path };
  };
}
