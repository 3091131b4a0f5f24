// Runs: newest first, filtered by function, status, trigger and time, paged on the server. New
// and finished runs arrive as `run` events: on the first page they are merged in place. Failed
// runs can be retried one by one or selected and retried together; selected running runs can be
// cancelled together (each a stored request the process running it acts on within about a second).
import { html, useState } from '../lib/html.js';
import { post } from '../lib/api.js';
import { useApi, useEvent, useNow } from '../lib/hooks.js';
import { href, go } from '../lib/router.js';
import { ago, duration, time, short, preview } from '../lib/format.js';
import { ActionButton, Badge, ErrorNote, Loading, PageHead, Pager, useCursors, Empty } from '../ui/widgets.js';

const ranges = /** @type {Record<string, [string, number]>} */ ({
  '15m': ['last 15 minutes', 15 * 60_000],
  '1h': ['last hour', 3_600_000],
  '24h': ['last 24 hours', 86_400_000],
  '7d': ['last 7 days', 7 * 86_400_000],
});

/** @param {any} run @param {Record<string, string>} f */
function matches(run, f) {
  return (!f.fn || run.fn === f.fn) && (!f.status || run.status === f.status) && (!f.trigger || run.trigger === f.trigger);
}

/** @param {{ app: any, query: Record<string, string> }} p */
export function RunsScreen({ app, query }) {
  const filters = { fn: query.fn ?? '', status: query.status ?? '', trigger: query.trigger ?? '', range: query.range ?? '' };
  /** @param {Record<string, string>} change */
  const setFilter = (change) => go('runs', { ...filters, ...change });
  const fns = (app?.nodes ?? []).filter((/** @type {any} */ n) => n.kind === 'fn').map((/** @type {any} */ n) => n.name);
  return html`
    <${PageHead} title="Runs" sub="Every invocation, newest first" />
    <div class="filters">
      <label>Function <select name="fn" value=${filters.fn} onChange=${(/** @type {any} */ e) => setFilter({ fn: e.target.value })}>
        <option value="">all</option>${fns.map((/** @type {string} */ f) => html`<option value=${f}>${f}</option>`)}
        ${filters.fn && !fns.includes(filters.fn) ? html`<option value=${filters.fn}>${filters.fn}</option>` : null}
      </select></label>
      <label>Status <select name="status" value=${filters.status} onChange=${(/** @type {any} */ e) => setFilter({ status: e.target.value })}>
        <option value="">all</option>${['running', 'ok', 'error', 'timeout', 'cancelled'].map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <label>Trigger <input name="trigger" placeholder="queue:ingest" value=${filters.trigger} onChange=${(/** @type {any} */ e) => setFilter({ trigger: e.target.value.trim() })} /></label>
      <label>Time <select name="range" value=${filters.range} onChange=${(/** @type {any} */ e) => setFilter({ range: e.target.value })}>
        <option value="">any time</option>${Object.entries(ranges).map(([k, [label]]) => html`<option value=${k}>${label}</option>`)}
      </select></label>
    </div>
    <${RunList} key=${JSON.stringify(filters)} filters=${filters} />`;
}

/** One filter's list: its own cursor stack, time window and selection. @param {{ filters: Record<string, string> }} p */
function RunList({ filters }) {
  const cursors = useCursors();
  // The range's start is fixed when the filter is chosen, so paging does not shift under the user.
  const [since] = useState(() => (filters.range && ranges[filters.range] ? Date.now() - /** @type {[string, number]} */ (ranges[filters.range])[1] : undefined));
  const limit = 50;
  const { data, error, loading, set } = useApi('runs', { fn: filters.fn, status: filters.status, trigger: filters.trigger, since, limit, cursor: cursors.cursor });
  const [picked, setPicked] = useState(/** @type {Set<string>} */ (new Set()));
  const [bulk, setBulk] = useState(/** @type {any} */ (undefined));
  const now = useNow(5000);

  useEvent('run', (run) => {
    if (cursors.page !== 0) return;
    set((d) => {
      if (!d) return d;
      const i = d.items.findIndex((/** @type {any} */ r) => r.id === run.id);
      if (i >= 0) return { ...d, items: d.items.map((/** @type {any} */ r) => (r.id === run.id ? { ...r, ...run } : r)) };
      if (!matches(run, filters) || !run.startedAt || (since && run.startedAt < since)) return d;
      return { ...d, items: [run, ...d.items].slice(0, limit) };
    });
  });

  const items = data?.items ?? [];
  const selected = items.filter((/** @type {any} */ r) => picked.has(r.id));
  const toggle = (/** @type {string} */ id) => setPicked((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const allPicked = items.length > 0 && items.every((/** @type {any} */ r) => picked.has(r.id));
  const running = selected.filter((/** @type {any} */ r) => r.status === 'running');
  const retrySelected = async () => {
    const res = await post('runs/bulk', { action: 'retry', ids: selected.map((/** @type {any} */ r) => r.id) });
    setBulk({ ...res, action: 'retry' });
    setPicked(new Set());
  };
  const cancelSelected = async () => {
    const res = await post('runs/cancel', { ids: running.map((/** @type {any} */ r) => r.id) });
    setBulk({ ...res, action: 'cancel' });
    setPicked(new Set());
  };
  const any = filters.fn || filters.status || filters.trigger || filters.range;

  return html`
    ${bulk ? html`<div class="note good" data-bulk=${bulk.action}>${bulk.action === 'cancel' ? 'Asked to cancel' : 'Retried'} ${bulk.results.filter((/** @type {any} */ r) => r.ok).length} of ${bulk.results.length}:
        ${bulk.results.map((/** @type {any} */ r) => (r.ok ? html`<a class="mono" href=${href('runs', r.runId ?? r.id)}>${short(r.runId ?? r.id)}</a> ` : html`<span class="inline-error">${short(r.id)}: ${r.error?.message ?? r.error} </span>`))}
        <button class="btn link" onClick=${() => setBulk(undefined)}>dismiss</button></div>` : null}
    <${ErrorNote} error=${error} />
    ${loading && !data ? html`<${Loading} />` : items.length === 0 ? html`<${Empty}>No runs${any ? ' match these filters' : ' yet'}.</${Empty}>` : html`
      <div class="card flush">
      <div class="list-bar">
        <span class="muted small">${selected.length ? `${selected.length} selected` : 'Select runs to retry or cancel them together'}</span>
        <div class="grow"></div>
        <${ActionButton} kind="danger" disabled=${running.length === 0} title="Stop the selected running runs" onClick=${cancelSelected}>Cancel selected${running.length ? ` (${running.length})` : ''}</${ActionButton}>
        <${ActionButton} kind="primary" disabled=${selected.length === 0} onClick=${retrySelected}>Retry selected${selected.length ? ` (${selected.length})` : ''}</${ActionButton}>
      </div>
      <table class="list runs">
        <thead><tr>
          <th class="check"><input type="checkbox" aria-label="select all" checked=${allPicked} onChange=${() => setPicked(allPicked ? new Set() : new Set(items.map((/** @type {any} */ r) => r.id)))} /></th>
          <th>Status</th><th>Function</th><th>Trigger</th><th class="num">Attempt</th><th>Started</th><th class="num">Duration</th><th>Error</th><th>Run</th>
        </tr></thead>
        <tbody>${items.map((/** @type {any} */ r) => html`
          <tr key=${r.id} class=${picked.has(r.id) ? 'picked' : ''} data-run=${r.id}>
            <td class="check"><input type="checkbox" aria-label=${`select ${r.id}`} checked=${picked.has(r.id)} onChange=${() => toggle(r.id)} /></td>
            <td><${Badge} status=${r.status} /></td>
            <td><a href=${href('runs', { ...filters, fn: r.fn })}>${r.fn}</a></td>
            <td class="muted">${r.trigger}</td>
            <td class="num">${r.attempt}</td>
            <td title=${time(r.startedAt)}>${ago(r.startedAt, now)}</td>
            <td class="num">${r.status === 'running' ? html`<span class="muted">…</span>` : duration(r.durationMs)}</td>
            <td class="err-cell" title=${r.errorMessage ?? ''}>${r.errorType ? html`<strong>${r.errorType}</strong> ${preview(r.errorMessage ?? '', 70)}` : ''}</td>
            <td><a class="mono" href=${href('runs', r.id)}>${short(r.id)}</a></td>
          </tr>`)}
        </tbody>
      </table>
      </div>
      <${Pager} page=${cursors.page} hasNext=${!!data?.next} count=${items.length} onPrev=${cursors.prev} onNext=${() => data?.next && cursors.next(data.next)} />`}`;
}
