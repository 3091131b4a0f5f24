// Hash routes: #/app, #/runs, #/runs/<id>, #/queues/<name>, ... with an optional ?query for a
// screen's filters (#/runs?fn=ingest&status=error). Parts are URI-decoded.
import { useEffect, useState } from './html.js';

/** @typedef {{ parts: string[], query: Record<string, string> }} Route */

/** @returns {Route} */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  return { parts: parts.length ? parts : ['app'], query: Object.fromEntries(new URLSearchParams(search)) };
}

/**
 * A hash link: href('runs', id) or href('runs', { fn: 'x' }).
 * @param {...(string | Record<string, unknown>)} parts
 */
export function href(...parts) {
  const path = parts.filter((p) => typeof p === 'string').map((p) => encodeURIComponent(/** @type {string} */ (p))).join('/');
  const q = /** @type {Record<string, unknown> | undefined} */ (parts.find((p) => typeof p === 'object'));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) if (v !== undefined && v !== '' && v !== null) search.set(k, String(v));
  const s = search.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

/** @param {...(string | Record<string, unknown>)} parts */
export function go(...parts) {
  location.hash = href(...parts);
}

/** The current route, re-rendered on every hash change. */
export function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
