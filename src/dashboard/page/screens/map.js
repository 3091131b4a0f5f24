// One map: its ledger counts live (from `map` events) as a progress bar, its failed items with
// their errors, and a redrive of the failed items.
import { html } from '../lib/html.js';
import { post, seg } from '../lib/api.js';
import { useApi, useEvent } from '../lib/hooks.js';
import { time, preview, pretty } from '../lib/format.js';
import { ActionButton, Badge, Code, Empty, ErrorNote, Loading, PageHead, Progress, Section, Stat } from '../ui/widgets.js';

/** @param {{ id: string }} p */
export function MapScreen({ id }) {
  const { data, error, set, reload } = useApi(`maps/${seg(id)}`);
  useEvent('map', (ev) => {
    if (ev.id !== id) return;
    const finished = ev.counts && ev.counts.pending === 0 && ev.counts.running === 0;
    set((d) => d && { ...d, counts: { ...d.counts, ...(ev.counts ?? {}) }, map: { ...d.map, ...(ev.status ? { status: ev.status } : {}) } });
    if (finished || ev.status) reload();
  });
  if (error) return html`<${PageHead} title="Map" sub=${id} /><${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const { map, counts, failedItems } = data;
  const redrive = async () => {
    await post(`maps/${seg(id)}/redrive`);
    reload();
  };
  return html`
    <${PageHead} title=${html`<a class="crumb" href="#/jobs">Jobs & maps</a> Map <span class="mono">${id}</span>`} sub=${`${map.fn} · started ${time(map.startedAt ?? map.createdAt)}`}>
      <${Badge} status=${map.status} />
      <${ActionButton} kind="primary" disabled=${!counts.failed} onClick=${redrive} title="Put the failed items back to pending and run them again">Redrive failed items</${ActionButton}>
    </${PageHead}>
    <div class="stats" data-map-counts=${id}>
      <${Stat} label="total" value=${counts.total} />
      <${Stat} label="succeeded" value=${counts.succeeded} />
      <${Stat} label="running" value=${counts.running} />
      <${Stat} label="pending" value=${counts.pending} />
      <${Stat} label="failed" value=${counts.failed} alert=${counts.failed > 0} />
    </div>
    <div class="card" data-map-progress><${Progress} counts=${counts} legend=${true} /></div>
    ${map.error ? html`<${Section} title="Error"><div class="error-box"><strong>${map.error.type ?? map.error.name ?? 'Error'}</strong> ${map.error.message}</div></${Section}>` : null}
    <${Section} title="Failed items" sub=${failedItems.length ? `first ${failedItems.length}` : ''}>
      <div data-failed-items>
      ${failedItems.length === 0 ? html`<${Empty}>No failed items.</${Empty}>` : html`
        <table class="list"><thead><tr><th>Item</th><th>Error</th></tr></thead><tbody>
          ${failedItems.map((/** @type {any} */ f) => html`<tr><td class="mono small" title=${pretty(f.item)}>${preview(f.item, 80)}</td><td class="err-cell">${typeof f.error === 'string' ? f.error : html`<strong>${f.error?.type ?? f.error?.name ?? 'Error'}</strong> ${f.error?.message ?? ''}`}</td></tr>`)}
        </tbody></table>`}
      </div>
    </${Section}>
    ${map.options ? html`<${Section} title="Options"><details><summary class="muted small">How the map was started</summary><${Code} text=${pretty(map.options)} /></details></${Section}>` : null}`;
}
