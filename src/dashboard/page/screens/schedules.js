// Schedules: expression, time zone, target, the next three fire times and the last tick.
import { html } from '../lib/html.js';
import { useApi, useNow } from '../lib/hooks.js';
import { ago, time } from '../lib/format.js';
import { Empty, ErrorNote, Loading, PageHead } from '../ui/widgets.js';

/** @param {unknown} t */
const target = (t) => (typeof t === 'string' ? t : t && typeof t === 'object' ? Object.entries(t).map(([k, v]) => `${k}:${v}`).join(', ') : '–');

export function SchedulesScreen() {
  const { data, error } = useApi('schedules');
  const now = useNow(10_000);
  if (error) return html`<${PageHead} title="Schedules" /><${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  return html`
    <${PageHead} title="Schedules" sub=${`${data.items.length} schedules`} />
    ${data.items.length === 0 ? html`<${Empty}>No schedules.</${Empty}>` : html`
    <div class="card flush"><table class="list">
      <thead><tr><th>Schedule</th><th>Expression</th><th>Time zone</th><th>Target</th><th>Next fires</th><th>Last tick</th></tr></thead>
      <tbody>${data.items.map((/** @type {any} */ s) => html`
        <tr data-schedule=${s.name}>
          <td><strong>${s.name}</strong>${s.enabled === false ? html` <span class="chip">disabled</span>` : null}</td>
          <td class="mono">${s.expression}</td>
          <td>${s.timezone ?? 'UTC'}</td>
          <td>${target(s.target)}</td>
          <td class="small">${s.nextFires?.length
            ? s.nextFires.map((/** @type {number} */ t) => html`<div title=${new Date(t).toISOString()}>${time(t)} <span class="muted">${ago(t, now)}</span></div>`)
            : html`<span class="muted">${s.enabled === false ? 'none while disabled' : '–'}</span>`}</td>
          <td>${s.lastTick ? html`<span title=${time(s.lastTick)}>${ago(s.lastTick, now)}</span>` : html`<span class="muted">never</span>`}</td>
        </tr>`)}
      </tbody></table></div>`}`;
}
