// Data hooks: useApi loads a GET endpoint (again when its key changes or on reload()), useEvent
// listens to one type on the page's single event stream, and useNow ticks for relative times.
import { get } from './api.js';
import { subscribe } from './events.js';
import { useEffect, useRef, useState, useCallback } from './html.js';

/**
 * @template T
 * @param {string | null} path  null: load nothing (yet)
 * @param {Record<string, unknown>} [query]
 * @returns {{ data: T | undefined, error: Error | undefined, loading: boolean, reload: () => void, set: (f: (d: T | undefined) => T | undefined) => void }}
 */
export function useApi(path, query = {}) {
  const key = path === null ? null : `${path}?${JSON.stringify(query)}`;
  const [state, setState] = useState(/** @type {{ data: any, error: any, loading: boolean, key: string | null }} */ ({ data: undefined, error: undefined, loading: path !== null, key }));
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, key, ...(s.key !== key ? { data: undefined, error: undefined } : {}) }));
    get(path, query).then(
      (data) => mine === seq.current && setState({ data, error: undefined, loading: false, key }),
      (error) => mine === seq.current && setState((s) => ({ data: s.key === key ? s.data : undefined, error, loading: false, key })),
    );
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((/** @type {(d: any) => any} */ f) => setState((s) => ({ ...s, data: f(s.data) })), []);
  return { data: state.key === key ? state.data : undefined, error: state.key === key ? state.error : undefined, loading: state.loading || state.key !== key, reload, set };
}

/**
 * Calls the latest `fn` for every `type` event on the page's stream while mounted.
 * @param {string} type @param {(data: any) => void} fn
 */
export function useEvent(type, fn) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => subscribe(type, (d) => ref.current(d)), [type]);
}

/**
 * Calls `fn` at most once per `ms` (trailing), for reloads triggered by bursts of events.
 * @param {() => void} fn @param {number} ms
 */
export function useThrottled(fn, ms) {
  const ref = useRef(fn);
  ref.current = fn;
  const timer = useRef(/** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined));
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      ref.current();
    }, ms);
  }, [ms]);
}

/** Re-renders every `ms` (relative times such as "3 s ago"). @param {number} ms */
export function useNow(ms = 5000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
