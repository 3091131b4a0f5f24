// The API client. A `?token=` on the page's URL is kept in memory and sent as a Bearer header on
// every request (and as `?token=` on the event stream, which cannot carry headers). Actions are
// POSTs with `X-Baton-Action: 1`, the server's CSRF guard.

const token = new URLSearchParams(location.search).get('token');

/** An API error with the server's type and message ("what, where, how to fix"). */
export class ApiError extends Error {
  /** @param {number} status @param {string} type @param {string} message */
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** @param {Record<string, string>} [extra] */
function headers(extra = {}) {
  /** @type {Record<string, string>} */
  const h = { accept: 'application/json', ...extra };
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/** @param {Response} res */
async function parse(res) {
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, 'BadResponse', `The server answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(res.status, (err && err.type) || 'HttpError', (err && err.message) || `HTTP ${res.status}`);
  }
  return body;
}

/**
 * Builds `/api/<path>?<query>`, leaving out empty query values.
 * @param {string} path @param {Record<string, unknown>} [query]
 */
export function url(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `/api/${path.replace(/^\//, '')}${s ? `?${s}` : ''}`;
}

/** @param {string} path @param {Record<string, unknown>} [query] */
export async function get(path, query) {
  return parse(await fetch(url(path, query), { headers: headers() }));
}

/** @param {string} path @param {unknown} [body] */
export async function post(path, body = {}) {
  return parse(await fetch(url(path), { method: 'POST', headers: headers({ 'content-type': 'application/json', 'x-baton-action': '1' }), body: JSON.stringify(body) }));
}

/** The event stream's URL (with the token, as EventSource cannot send headers). */
export function eventsUrl() {
  return token ? `/api/events?token=${encodeURIComponent(token)}` : '/api/events';
}

/** Encodes one path segment (queue, table and run names). @param {string} s */
export const seg = (s) => encodeURIComponent(s);
