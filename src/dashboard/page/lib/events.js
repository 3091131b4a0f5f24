// The page's one event stream: a single EventSource to /api/events, shared by every screen.
// Screens subscribe to an event type (app, counts, run, queue, map, job) and get its parsed data; the
// browser reconnects by itself, and `status` listeners see 'live' | 'connecting'.
import { eventsUrl } from './api.js';

/** @type {EventSource | undefined} */
let source;
/** @type {Map<string, Set<(data: any) => void>>} */
const listeners = new Map();
/** @type {Set<(s: string) => void>} */
const statusListeners = new Set();
let status = 'connecting';

function setStatus(/** @type {string} */ s) {
  status = s;
  for (const l of statusListeners) l(s);
}

/** @param {string} type */
function attach(type) {
  if (!source) return;
  source.addEventListener(type, (ev) => {
    let data;
    try {
      data = JSON.parse(/** @type {MessageEvent} */ (ev).data);
    } catch {
      return;
    }
    for (const l of listeners.get(type) ?? []) l(data);
  });
}

function open() {
  if (source) return;
  source = new EventSource(eventsUrl());
  source.onopen = () => setStatus('live');
  source.onerror = () => setStatus(source && source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
  for (const type of listeners.keys()) attach(type);
}

/**
 * Calls `fn` with every event of `type`; returns the unsubscribe function.
 * @param {string} type @param {(data: any) => void} fn
 */
export function subscribe(type, fn) {
  open();
  let set = listeners.get(type);
  if (!set) {
    set = new Set();
    listeners.set(type, set);
    attach(type);
  }
  set.add(fn);
  return () => set.delete(fn);
}

/** @param {(s: string) => void} fn */
export function onStatus(fn) {
  open();
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}
