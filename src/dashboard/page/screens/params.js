// Params: every parameter's path, type, version and value; SecureString values come masked from
// the server and stay so.
import { html, useState } from '../lib/html.js';
import { useApi } from '../lib/hooks.js';
import { preview } from '../lib/format.js';
import { Empty, ErrorNote, Loading, PageHead } from '../ui/widgets.js';

export function ParamsScreen() {
  const { data, error } = useApi('params');
  const [filter, setFilter] = useState('');
  if (error) return html`<${PageHead} title="Params" /><${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const items = data.items.filter((/** @type {any} */ p) => !filter || p.path.includes(filter));
  return html`
    <${PageHead} title="Params" sub=${`${data.items.length} parameters`}>
      <input class="search" placeholder="Filter by path" value=${filter} onInput=${(/** @type {any} */ e) => setFilter(e.target.value)} />
    </${PageHead}>
    ${items.length === 0 ? html`<${Empty}>No parameters${filter ? ' match' : ''}.</${Empty}>` : html`
    <div class="card flush"><table class="list">
      <thead><tr><th>Path</th><th>Type</th><th class="num">Version</th><th>Value</th></tr></thead>
      <tbody>${items.map((/** @type {any} */ p) => html`
        <tr data-param=${p.path}>
          <td class="mono">${p.path}</td>
          <td>${p.type === 'SecureString' ? html`<span class="chip secure">SecureString</span>` : p.type}</td>
          <td class="num">${p.version}</td>
          <td class=${`mono${p.type === 'SecureString' ? ' muted' : ''}`} title=${p.type === 'SecureString' ? 'masked' : String(p.value)}>${preview(Array.isArray(p.value) ? p.value.join(',') : String(p.value), 100)}</td>
        </tr>`)}
      </tbody></table></div>`}`;
}
