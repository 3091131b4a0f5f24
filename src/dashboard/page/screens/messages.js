// A queue's messages, paged on the server, each with its source queue, attempts and last error;
// a row opens to show the body and the error's stack. For a dead-letter queue, redrive: a dry run
// first (what would move, by filter and count), then the real move after confirming.
import { html, useState } from '../lib/html.js';
import { post, seg } from '../lib/api.js';
import { useApi, useEvent, useThrottled, useNow } from '../lib/hooks.js';
import { ago, time, pretty, preview, short } from '../lib/format.js';
import { ActionButton, Code, Empty, ErrorNote, Loading, Pager, Section, useCursors } from '../ui/widgets.js';

/** @param {any} e */
const errText = (e) => (e === undefined || e === null ? '' : typeof e === 'string' ? e : `${e.name ?? e.type ?? 'Error'}: ${e.message ?? ''}`);

/** @param {{ queue: string, redrive: boolean, title: any }} p */
export function Messages({ queue, redrive, title }) {
  const cursors = useCursors();
  const { data, error, loading, reload } = useApi(`queues/${seg(queue)}/messages`, { limit: 25, cursor: cursors.cursor });
  const [open, setOpen] = useState(/** @type {string | undefined} */ (undefined));
  const now = useNow(10_000);
  const refresh = useThrottled(reload, 1000);
  useEvent('queue', (ev) => ev.name === queue && refresh());
  const items = data?.items ?? [];
  return html`
    <${Section} title=${title}>
      ${redrive ? html`<${Redrive} queue=${queue} onDone=${() => { cursors.reset(); reload(); }} />` : null}
      <${ErrorNote} error=${error} />
      ${loading && !data ? html`<${Loading} />` : items.length === 0 ? html`<${Empty}>No messages in ${queue}.</${Empty}>` : html`
        <table class="list messages" data-messages=${queue}>
          <thead><tr><th>Message</th><th>Source</th><th class="num">Attempts</th><th>Last error</th><th>Sent</th></tr></thead>
          <tbody>${items.map((/** @type {any} */ m) => html`
            <tr key=${m.id} class=${`clickable${open === m.id ? ' open' : ''}`} data-message=${m.id} onClick=${() => setOpen(open === m.id ? undefined : m.id)}>
              <td class="msg-cell"><span class="caret">${open === m.id ? '▾' : '▸'}</span> <span class="mono">${short(m.id)}</span> <span class="muted small">${preview(m.body, 60)}</span></td>
              <td>${m.source ?? html`<span class="muted">–</span>`}</td>
              <td class="num">${m.attempts}</td>
              <td class="err-cell">${m.lastError ? preview(errText(m.lastError), 90) : html`<span class="muted">none recorded</span>`}</td>
              <td title=${time(m.sentAt)} class="nowrap">${ago(m.sentAt, now)}</td>
            </tr>
            ${open === m.id ? html`<tr class="detail-row"><td colspan="5"><${MessageDetail} m=${m} /></td></tr>` : null}`)}
          </tbody>
        </table>
        <${Pager} page=${cursors.page} hasNext=${!!data?.next} count=${items.length} onPrev=${cursors.prev} onNext=${() => data?.next && cursors.next(data.next)} />`}
    </${Section}>`;
}

/** @param {{ m: any }} p */
function MessageDetail({ m }) {
  const e = m.lastError;
  return html`
    <div class="msg-detail" data-message-detail=${m.id}>
      <div class="kv">
        <div><span class="muted">Id</span> <span class="mono">${m.id}</span></div>
        <div><span class="muted">Source</span> ${m.source ?? '–'}</div>
        <div><span class="muted">Attempts</span> ${m.attempts}</div>
        <div><span class="muted">Sent</span> ${time(m.sentAt)}</div>
      </div>
      ${e ? html`<div class="error-box"><strong>${typeof e === 'string' ? 'Error' : e.name ?? e.type ?? 'Error'}</strong> ${typeof e === 'string' ? e : e.message}</div>
        ${e.action ? html`<p class="small"><span class="muted">Fix:</span> ${e.action}</p>` : null}
        ${e.stack ? html`<details><summary class="muted small">Stack</summary><${Code} text=${e.stack} /></details>` : null}` : null}
      <div class="muted small label">Body</div>
      <${Code} text=${pretty(m.body)} />
    </div>`;
}

/** @param {{ queue: string, onDone: () => void }} p */
function Redrive({ queue, onDone }) {
  const [contains, setContains] = useState('');
  const [max, setMax] = useState('');
  const [preview, setPreview] = useState(/** @type {any} */ (undefined));
  const [done, setDone] = useState(/** @type {any} */ (undefined));
  const body = (/** @type {boolean} */ dryRun) => ({ dryRun, ...(contains ? { contains } : {}), ...(max ? { max: Number(max) } : {}) });
  const dry = async () => {
    setDone(undefined);
    setPreview(await post(`queues/${seg(queue)}/redrive`, body(true)));
  };
  const real = async () => {
    const res = await post(`queues/${seg(queue)}/redrive`, body(false));
    setPreview(undefined);
    setDone(res);
    onDone();
  };
  const edit = (/** @type {(v: string) => void} */ f) => (/** @type {any} */ e) => {
    f(e.target.value);
    setPreview(undefined);
  };
  return html`
    <div class="redrive" data-redrive=${queue}>
      <div class="filters">
        <strong>Redrive</strong>
        <label>Body contains <input name="contains" value=${contains} onInput=${edit(setContains)} placeholder="any" /></label>
        <label>At most <input name="max" type="number" min="1" value=${max} onInput=${edit(setMax)} placeholder="all" class="narrow" /></label>
        <${ActionButton} onClick=${dry}>Dry run</${ActionButton}>
      </div>
      ${preview ? html`
        <div class="note info" data-redrive-preview>
          <div><strong>${preview.count}</strong> message${preview.count === 1 ? '' : 's'} would move back to ${preview.count === 1 ? 'its' : 'their'} source queue.
            ${preview.ids?.length ? html`<span class="muted small mono"> ${preview.ids.slice(0, 8).map(short).join(' ')}${preview.ids.length > 8 ? ' …' : ''}</span>` : null}</div>
          <div class="row-actions">
            <${ActionButton} kind="primary" disabled=${preview.count === 0} onClick=${real}>Redrive ${preview.count} message${preview.count === 1 ? '' : 's'}</${ActionButton}>
            <button class="btn" onClick=${() => setPreview(undefined)}>Cancel</button>
          </div>
        </div>` : null}
      ${done ? html`<div class="note good" data-redrive-done>Moved ${done.count} message${done.count === 1 ? '' : 's'}.</div>` : null}
    </div>`;
}
