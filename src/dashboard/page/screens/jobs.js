// Jobs and maps: maps with their ledger counts as progress bars, and jobs with their status,
// relays and progress; both kept live by `map` and `job` events (an unknown id reloads the list).
import { html } from '../lib/html.js';
import { useApi, useEvent, useThrottled, useNow } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { ago, time, num, short } from '../lib/format.js';
import { Badge, Empty, ErrorNote, Loading, PageHead, Progress, Section } from '../ui/widgets.js';

export function JobsScreen() {
  return html`
    <${PageHead} title="Jobs & maps" sub="Long jobs that relay, and map fan-outs with their ledgers" />
    <${Maps} />
    <${Jobs} />`;
}

function Maps() {
  const { data, error, reload, set } = useApi('maps', { limit: 50 });
  const refresh = useThrottled(reload, 1000);
  const now = useNow(10_000);
  useEvent('map', (ev) => set((d) => {
    if (!d) return d;
    if (!d.items.some((/** @type {any} */ m) => m.id === ev.id)) {
      refresh();
      return d;
    }
    return { ...d, items: d.items.map((/** @type {any} */ m) => (m.id === ev.id ? { ...m, ...(ev.counts ?? {}), ...(ev.status ? { status: ev.status } : {}) } : m)) };
  }));
  return html`
    <${Section} title="Maps" sub=${data ? `${data.items.length}${data.next ? '+' : ''}` : ''}>
      <${ErrorNote} error=${error} />
      ${!data ? html`<${Loading} />` : data.items.length === 0 ? html`<${Empty}>No maps have run.</${Empty}>` : html`
        <table class="list">
          <thead><tr><th>Map</th><th>Function</th><th>Status</th><th class="wide">Progress</th><th class="num">Failed</th><th>Started</th></tr></thead>
          <tbody>${data.items.map((/** @type {any} */ m) => html`
            <tr key=${m.id} data-map=${m.id}>
              <td><a class="mono" href=${href('maps', m.id)}>${short(m.id)}</a></td>
              <td>${m.fn}</td>
              <td><${Badge} status=${m.status} /></td>
              <td><${Progress} counts=${m} /></td>
              <td class=${`num${m.failed ? ' count-bad' : ''}`}>${num(m.failed)}</td>
              <td title=${time(m.startedAt)}>${ago(m.startedAt, now)}</td>
            </tr>`)}
          </tbody>
        </table>`}
    </${Section}>`;
}

function Jobs() {
  const { data, error, reload, set } = useApi('jobs', { limit: 50 });
  const refresh = useThrottled(reload, 1000);
  const now = useNow(10_000);
  useEvent('job', (ev) => set((d) => {
    if (!d) return d;
    if (!d.items.some((/** @type {any} */ j) => j.id === ev.id)) {
      refresh();
      return d;
    }
    return { ...d, items: d.items.map((/** @type {any} */ j) => (j.id === ev.id ? { ...j, ...ev } : j)) };
  }));
  return html`
    <${Section} title="Jobs" sub=${data ? `${data.items.length}${data.next ? '+' : ''}` : ''}>
      <${ErrorNote} error=${error} />
      ${!data ? html`<${Loading} />` : data.items.length === 0 ? html`<${Empty}>No jobs have run.</${Empty}>` : html`
        <table class="list">
          <thead><tr><th>Job</th><th>Function</th><th>Status</th><th class="num">Relays</th><th class="num">Steps</th><th>Started</th><th>Updated</th></tr></thead>
          <tbody>${data.items.map((/** @type {any} */ j) => html`
            <tr key=${j.id} data-job=${j.id}>
              <td><a class="mono" href=${href('jobs', j.id)}>${short(j.id)}</a></td>
              <td>${j.fn}</td>
              <td><${Badge} status=${j.status} /></td>
              <td class="num">${num(j.relays)}</td>
              <td class="num">${j.steps === undefined ? '–' : num(j.steps)}</td>
              <td title=${time(j.startedAt)}>${ago(j.startedAt, now)}</td>
              <td title=${time(j.updatedAt)}>${ago(j.updatedAt, now)}</td>
            </tr>`)}
          </tbody>
        </table>`}
    </${Section}>`;
}
