// The frame around every screen: the app's name and backend, the live-stream status, the nav.
import { html, useEffect, useState } from '../lib/html.js';
import { onStatus } from '../lib/events.js';

const nav = [
  ['app', 'App'],
  ['runs', 'Runs'],
  ['queues', 'Queues'],
  ['jobs', 'Jobs & maps'],
  ['schedules', 'Schedules'],
  ['params', 'Params'],
  ['tables', 'Tables'],
  ['lake', 'Lake'],
];

/** The section a route belongs to (maps/<id> is under Jobs & maps). @param {string} first */
const section = (first) => (first === 'maps' ? 'jobs' : first);

function LiveDot() {
  const [status, setStatus] = useState('connecting');
  useEffect(() => onStatus(setStatus), []);
  const label = status === 'live' ? 'live' : status === 'closed' ? 'disconnected' : 'connecting…';
  return html`<span class=${`live ${status}`} title="Updates stream from the server (one connection)" data-live=${status}><i></i>${label}</span>`;
}

/** @param {{ route: import('../lib/router.js').Route, app: any, children: any }} p */
export function Shell({ route, app, children }) {
  const current = section(route.parts[0] ?? 'app');
  return html`
    <div class="shell">
      <aside class="side">
        <div class="brand">Baton</div>
        <div class="app-name" title="app">${app?.name ?? '…'}${app?.backend ? html` <span class="chip">${app.backend}</span>` : null}</div>
        <nav>
          ${nav.map(([id, label]) => html`<a href=${`#/${id}`} class=${current === id ? 'active' : ''} aria-current=${current === id ? 'page' : undefined}>${label}</a>`)}
        </nav>
        <div class="grow"></div>
        <${LiveDot} />
      </aside>
      <main class="main">${children}</main>
    </div>`;
}
