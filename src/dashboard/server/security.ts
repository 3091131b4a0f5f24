/**
 * Who may talk to the dashboard.
 *
 * - Host: every request's Host header must name the address the server is bound to (with its
 *   port), or localhost / 127.0.0.1 / [::1] when bound to loopback, so a page on another site
 *   cannot reach the API by rebinding its own DNS name to 127.0.0.1. Bound to every interface
 *   (0.0.0.0 or ::), any IP literal is accepted (a rebinding attack needs a DNS name).
 * - Token: bound beyond loopback (or `publicBind` set), API requests need the token, as
 *   `Authorization: Bearer <token>` or `?token=` (for the page URL and the SSE stream). The page's
 *   own files (/, /assets, /vendor) hold no data and are served without it.
 * - Actions: a POST needs `X-Baton-Action: 1` (a cross-site form cannot set a header, and a
 *   cross-site fetch that does must first pass a CORS preflight, which is never granted) and, when
 *   an Origin header is present, it must be the dashboard's own origin.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http.ts';

export interface SecurityPolicy {
  /** Host header values accepted (lower case, with port). */
  readonly hosts: ReadonlySet<string>;
  /** Bound to every interface: also accept any IP literal with the right port. */
  readonly anyIp: boolean;
  readonly port: number;
  /** Required on API requests when set. */
  readonly token: string | undefined;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`.toLowerCase();
}

export function makePolicy(boundHost: string, port: number, token: string | undefined): SecurityPolicy {
  const hosts = new Set([hostPort(boundHost, port)]);
  if (isLoopback(boundHost)) for (const h of ['localhost', '127.0.0.1', '::1']) hosts.add(hostPort(h, port));
  return { hosts, anyIp: boundHost === '0.0.0.0' || boundHost === '::', port, token };
}

function hostAllowed(policy: SecurityPolicy, header: string | undefined): boolean {
  if (!header) return false;
  const host = header.toLowerCase();
  if (policy.hosts.has(host)) return true;
  if (!policy.anyIp) return false;
  const m = /^(?:\[([0-9a-f:.]+)\]|([0-9.]+)):(\d+)$/.exec(host);
  return m !== null && Number(m[3]) === policy.port && isIP(m[1] ?? m[2] ?? '') !== 0;
}

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: the Authorization bearer, else ?token=. */
function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? undefined;
}

/** Throws a 403 HttpError for a request the policy refuses. `api`: the request reads or changes data. */
export function checkRequest(policy: SecurityPolicy, req: IncomingMessage, url: URL, api: boolean): void {
  if (!hostAllowed(policy, req.headers.host)) {
    throw new HttpError(403, 'ForbiddenHost', `Host ${JSON.stringify(req.headers.host ?? '')} is not this dashboard's address; open it at http://${[...policy.hosts][0]}/ (requests by another name are refused against DNS rebinding).`);
  }
  if (api && policy.token !== undefined && !tokenMatches(policy.token, requestToken(req, url))) {
    throw new HttpError(403, 'TokenRequired', 'This dashboard is bound beyond loopback and needs its token: send "Authorization: Bearer <token>" or add ?token=<token> (printed when it started, or $BATON_DASHBOARD_TOKEN).');
  }
  if (req.method === 'POST') {
    if (req.headers['x-baton-action'] !== '1') {
      throw new HttpError(403, 'ActionHeaderRequired', 'Actions need the header "X-Baton-Action: 1" (a guard against cross-site requests); send it with the POST.');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' ? !originAllowed(policy, origin) : origin === 'null') {
      throw new HttpError(403, 'ForbiddenOrigin', `Origin ${JSON.stringify(origin)} is not this dashboard's; actions are accepted only from the dashboard's own page.`);
    }
  }
}

function originAllowed(policy: SecurityPolicy, origin: string): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && hostAllowed(policy, u.host);
}
