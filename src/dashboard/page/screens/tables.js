// Tables: each table's keys and stream consumers (function, position, lag), and a table's items
// by partition key, paged on the server.
import { html, useState } from '../lib/html.js';
import { seg } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { href, go } from '../lib/router.js';
import { num, preview } from '../lib/format.js';
import { Empty, ErrorNote, Loading, PageHead, Pager, Section, useCursors } from '../ui/widgets.js';

/** @param {{ query: Record<string, string> }} p */
export function TablesScreen({ query }) {
  const { data, error } = useApi('tables');
  if (error) return html`<${PageHead} title="Tables" /><${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const name = query.name ?? data.items[0]?.name;
  const table = data.items.find((/** @type {any} */ t) => t.name === name);
  return html`
    <${PageHead} title="Tables" sub=${`${data.items.length} tables`} />
    ${data.items.length === 0 ? html`<${Empty}>No tables.</${Empty}>` : html`
    <div class="tabs">${data.items.map((/** @type {any} */ t) => html`<a href=${href('tables', { name: t.name })} class=${t.name === name ? 'active' : ''}>${t.name}</a>`)}</div>
    ${table ? html`<${TableDetail} key=${table.name} table=${table} pk=${query.pk ?? ''} />` : html`<div class="note bad">No table named "${name}".</div>`}`}`;
}

/** @param {{ table: any, pk: string }} p */
function TableDetail({ table, pk }) {
  const s = table.stream;
  return html`
    <div class="kv card">
      <div><span class="muted">Partition key</span> <span class="mono">${keyName(table.partitionKey)}</span></div>
      <div><span class="muted">Sort key</span> <span class="mono">${table.sortKey ? keyName(table.sortKey) : '–'}</span></div>
      <div><span class="muted">Stream</span> ${s ? s.viewType : 'none'}</div>
    </div>
    ${s ? html`<${Section} title="Stream consumers"><div data-consumers>
      ${s.consumers.length === 0 ? html`<${Empty}>No function reads this stream.</${Empty}>` : html`
      <table class="list"><thead><tr><th>Function</th><th class="num">Position</th><th class="num">Lag</th></tr></thead><tbody>
        ${s.consumers.map((/** @type {any} */ c) => html`<tr><td><a href=${href('runs', { fn: c.fn })}>${c.fn}</a></td><td class="num mono">${typeof c.position === 'number' ? num(c.position) : c.position ?? (c.lag === 0 ? html`<span class="muted">caught up</span>` : '–')}</td><td class=${`num${c.lag ? ' count-bad' : ''}`}>${c.lag === undefined ? '–' : `${c.lagCapped ? '≥ ' : ''}${num(c.lag)}`}</td></tr>`)}
      </tbody></table>`}
    </div></${Section}>` : null}
    <${Items} key=${pk} table=${table} pk=${pk} />`;
}

/** @param {unknown} k */
const keyName = (k) => (typeof k === 'string' ? k : k && typeof k === 'object' ? `${/** @type {any} */ (k).name} (${/** @type {any} */ (k).type ?? 'string'})` : '–');

/** @param {{ table: any, pk: string }} p */
function Items({ table, pk }) {
  const cursors = useCursors();
  const [draft, setDraft] = useState(pk);
  const { data, error, loading } = useApi(`tables/${seg(table.name)}/items`, { pk, limit: 25, cursor: cursors.cursor });
  const items = data?.items ?? [];
  const columns = [...new Set(items.flatMap((/** @type {any} */ i) => Object.keys(i)))].slice(0, 8);
  return html`
    <${Section} title="Items" actions=${html`
      <form class="inline" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); go('tables', { name: table.name, pk: draft.trim() }); }}>
        <input name="pk" placeholder=${`${keyName(table.partitionKey).split(' ')[0]} (partition)`} value=${draft} onInput=${(/** @type {any} */ e) => setDraft(e.target.value)} />
        <button class="btn">Show</button>
      </form>`}>
      <div data-items>
      <${ErrorNote} error=${error} />
      ${loading && !data ? html`<${Loading} />` : items.length === 0 ? html`<${Empty}>No items${pk ? ` in partition "${pk}"` : ''}.</${Empty}>` : html`
        <div class="scroll-x"><table class="list"><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>
          ${items.map((/** @type {any} */ i) => html`<tr>${columns.map((c) => html`<td class="mono small" title=${typeof i[c] === 'object' ? JSON.stringify(i[c]) : String(i[c] ?? '')}>${i[c] === undefined ? '' : preview(i[c], 60)}</td>`)}</tr>`)}
        </tbody></table></div>
        <${Pager} page=${cursors.page} hasNext=${!!data?.next} count=${items.length} onPrev=${cursors.prev} onNext=${() => data?.next && cursors.next(data.next)} />`}
      </div>
    </${Section}>`;
}
