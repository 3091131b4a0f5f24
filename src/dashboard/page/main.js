// The dashboard page: loads the app once, keeps its node counts live from the event stream, and
// shows the screen the hash route names. Plain ES modules; no build step.
import { html, render, useState, useEffect } from './lib/html.js';
import { get } from './lib/api.js';
import { subscribe } from './lib/events.js';
import { useRoute } from './lib/router.js';
import { Shell } from './ui/shell.js';
import { ErrorNote } from './ui/widgets.js';
import { AppScreen } from './screens/app.js';
import { RunsScreen } from './screens/runs.js';
import { RunScreen } from './screens/run.js';
import { QueuesScreen } from './screens/queues.js';
import { QueueScreen } from './screens/queue.js';
import { JobsScreen } from './screens/jobs.js';
import { JobScreen } from './screens/job.js';
import { MapScreen } from './screens/map.js';
import { SchedulesScreen } from './screens/schedules.js';
import { ParamsScreen } from './screens/params.js';
import { TablesScreen } from './screens/tables.js';
import { LakeScreen } from './screens/lake.js';

/**
 * The app (GET /api/app) with each node's counts kept current by `counts` events, replaced whole by
 * an `app` event (baton dev applied a saved config: new resources, functions, triggers).
 */
function useLiveApp() {
  const [app, setApp] = useState(/** @type {any} */ (undefined));
  const [error, setError] = useState(/** @type {any} */ (undefined));
  useEffect(() => {
    get('app').then(setApp, setError);
    const offApp = subscribe('app', (/** @type {any} */ next) => {
      setError(undefined);
      setApp(next);
    });
    const offCounts = subscribe('counts', (/** @type {{ nodes: { id: string, counts: any }[] }} */ ev) => {
      const byId = new Map(ev.nodes.map((n) => [n.id, n.counts]));
      setApp((/** @type {any} */ a) => a && { ...a, nodes: a.nodes.map((/** @type {any} */ n) => (byId.has(n.id) ? { ...n, counts: { ...n.counts, ...byId.get(n.id) } } : n)) });
    });
    return () => {
      offApp();
      offCounts();
    };
  }, []);
  return { app, error };
}

/** @param {{ route: import('./lib/router.js').Route, app: any }} p */
function Screen({ route, app }) {
  const [first, id] = route.parts;
  const q = route.query;
  switch (first) {
    case 'app': return html`<${AppScreen} app=${app} />`;
    case 'runs': return id ? html`<${RunScreen} key=${id} id=${id} />` : html`<${RunsScreen} app=${app} query=${q} />`;
    case 'queues': return id ? html`<${QueueScreen} key=${id} name=${id} />` : html`<${QueuesScreen} />`;
    case 'jobs': return id ? html`<${JobScreen} key=${id} id=${id} />` : html`<${JobsScreen} />`;
    case 'maps': return id ? html`<${MapScreen} key=${id} id=${id} />` : html`<${JobsScreen} />`;
    case 'schedules': return html`<${SchedulesScreen} />`;
    case 'params': return html`<${ParamsScreen} />`;
    case 'tables': return html`<${TablesScreen} query=${q} />`;
    case 'lake': return html`<${LakeScreen} query=${q} />`;
    default: return html`<div class="note bad">No screen "${first}". <a href="#/app">Back to the app</a></div>`;
  }
}

function Root() {
  const route = useRoute();
  const { app, error } = useLiveApp();
  return html`<${Shell} route=${route} app=${app}><${ErrorNote} error=${error} /><${Screen} route=${route} app=${app} /></${Shell}>`;
}

const root = /** @type {HTMLElement} */ (document.getElementById('root'));
root.textContent = '';
render(html`<${Root} />`, root);
