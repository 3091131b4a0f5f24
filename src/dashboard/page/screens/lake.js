// Lake: the catalog's tables (partitions, rows, bytes), a table's partitions, and a SQL box that
// runs a read-only query (bound parameters only) and shows the result as a table.
import { html, useState } from '../lib/html.js';
import { post, seg } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { bytes, num } from '../lib/format.js';
import { Empty, ErrorNote, Loading, PageHead, Section } from '../ui/widgets.js';

/** @param {{ query: Record<string, string> }} p */
export function LakeScreen({ query }) {
  const { data, error } = useApi('lake/tables');
  const first = data?.items[0]?.name;
  return html`
    <${PageHead} title="Lake" sub="Catalog tables and SQL over them (read-only)" />
    <${SqlBox} initial=${first ? `SELECT * FROM ${first} LIMIT 20` : 'SELECT 42 AS answer'} />
    <${Section} title="Catalog tables">
      <${ErrorNote} error=${error} />
      ${!data ? html`<${Loading} />` : data.items.length === 0 ? html`<${Empty}>The catalog has no tables yet.</${Empty}>` : html`
        <table class="list"><thead><tr><th>Table</th><th class="num">Partitions</th><th class="num">Rows</th><th class="num">Bytes</th></tr></thead><tbody>
          ${data.items.map((/** @type {any} */ t) => html`<tr data-lake-table=${t.name} class=${query.table === t.name ? 'picked' : ''}>
            <td><a href=${href('lake', { table: t.name })}><strong>${t.name}</strong></a></td><td class="num">${num(t.partitions)}</td><td class="num">${num(t.rows)}</td><td class="num">${bytes(t.bytes)}</td></tr>`)}
        </tbody></table>`}
    </${Section}>
    ${query.table ? html`<${Partitions} key=${query.table} table=${query.table} />` : null}`;
}

/** @param {{ table: string }} p */
function Partitions({ table }) {
  const { data, error } = useApi(`lake/tables/${seg(table)}/partitions`);
  return html`
    <${Section} title=${`Partitions of ${table}`} sub=${data ? `${data.items.length}` : ''}>
      <div data-lake-partitions>
      <${ErrorNote} error=${error} />
      ${!data ? html`<${Loading} />` : data.items.length === 0 ? html`<${Empty}>No partitions.</${Empty}>` : html`
        <table class="list"><thead><tr><th>Partition</th><th class="num">Rows</th><th class="num">Bytes</th><th>Key</th></tr></thead><tbody>
          ${data.items.map((/** @type {any} */ p) => html`<tr><td class="mono">${Object.entries(p.partition ?? {}).map(([k, v]) => `${k}=${v}`).join(' / ') || '–'}</td><td class="num">${num(p.rows)}</td><td class="num">${bytes(p.bytes)}</td><td class="mono small muted">${p.key}</td></tr>`)}
        </tbody></table>`}
      </div>
    </${Section}>`;
}

/** @param {{ initial: string }} p */
function SqlBox({ initial }) {
  const [sql, setSql] = useState(/** @type {string | undefined} */ (undefined));
  const [params, setParams] = useState('');
  const [result, setResult] = useState(/** @type {any} */ (undefined));
  const [error, setError] = useState(/** @type {any} */ (undefined));
  const [busy, setBusy] = useState(false);
  const text = sql ?? initial;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      let bound;
      if (params.trim()) {
        try {
          bound = JSON.parse(params);
        } catch {
          throw new Error('Parameters must be a JSON array, e.g. ["2026-01-01", 10], bound to ? or $1 in order.');
        }
        if (!Array.isArray(bound)) throw new Error('Parameters must be a JSON array, e.g. ["2026-01-01", 10].');
      }
      setResult(await post('lake/query', { sql: text, ...(bound ? { params: bound } : {}) }));
    } catch (e) {
      setResult(undefined);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <${Section} title="SQL" sub="SELECT, WITH, DESCRIBE or SHOW; values bound with ? or $1">
      <form class="sql" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); void run(); }}>
        <textarea name="sql" spellcheck="false" rows="4" value=${text} onInput=${(/** @type {any} */ e) => setSql(e.target.value)}
          onKeyDown=${(/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void run(); } }}></textarea>
        <div class="filters">
          <label>Parameters <input name="params" class="wide-input" placeholder='JSON array, e.g. ["c1", 10]' value=${params} onInput=${(/** @type {any} */ e) => setParams(e.target.value)} /></label>
          <div class="grow"></div>
          <span class="muted small">Ctrl+Enter</span>
          <button class="btn primary" type="submit" disabled=${busy}>${busy ? 'Running…' : 'Run query'}</button>
        </div>
      </form>
      <${ErrorNote} error=${error} />
      ${result ? html`<${ResultTable} result=${result} />` : null}
    </${Section}>`;
}

/** @param {{ result: { columns: string[], rows: unknown[][], truncated: boolean, ms: number } }} p */
function ResultTable({ result }) {
  const cell = (/** @type {unknown} */ v) => (v === null || v === undefined ? html`<span class="muted">null</span>` : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return html`
    <div class="result" data-sql-result>
      <div class="muted small">${num(result.rows.length)} row${result.rows.length === 1 ? '' : 's'}${result.truncated ? ' (cut at 1,000)' : ''} · ${Math.round(result.ms)} ms</div>
      ${result.columns.length ? html`<div class="scroll-x"><table class="list compact"><thead><tr>${result.columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>
        ${result.rows.map((r) => html`<tr>${r.map((v) => html`<td class=${typeof v === 'number' ? 'mono small num' : 'mono small'}>${cell(v)}</td>`)}</tr>`)}
      </tbody></table></div>` : null}
    </div>`;
}
