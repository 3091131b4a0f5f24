// Small shared pieces: status badges, stat tiles, error notes, a pager, stacked progress bars.
import { html, useState } from '../lib/html.js';
import { num } from '../lib/format.js';

const tone = /** @type {Record<string, string>} */ ({
  ok: 'good', succeeded: 'good', live: 'good',
  error: 'bad', failed: 'bad', timeout: 'warn', cancelled: 'muted',
  running: 'info', loading: 'info', queued: 'muted', pending: 'muted', connecting: 'warn', closed: 'bad',
});

/** @param {{ status: string }} p */
export const Badge = ({ status }) => html`<span class=${`badge ${tone[status] ?? 'muted'}`}>${status}</span>`;

/** @param {{ label: string, value: unknown, alert?: boolean, hint?: string }} p */
export const Stat = ({ label, value, alert, hint }) => html`
  <div class=${`stat${alert ? ' alert' : ''}`} title=${hint ?? ''} data-stat=${label}>
    <div class="stat-value">${typeof value === 'number' ? num(value) : value}</div>
    <div class="stat-label">${label}</div>
  </div>`;

/** @param {{ error: any }} p */
export const ErrorNote = ({ error }) =>
  error ? html`<div class="note bad" role="alert"><strong>${error.type ?? 'Error'}</strong> ${error.message ?? String(error)}</div>` : null;

export const Loading = () => html`<p class="muted">Loading…</p>`;

/** @param {{ children?: any }} p */
export const Empty = ({ children }) => html`<p class="empty">${children}</p>`;

/** @param {{ title: any, actions?: any, children?: any, sub?: any }} p */
export const Section = ({ title, actions, children, sub }) => html`
  <section class="card">
    <header class="card-head"><h2>${title}</h2>${sub ? html`<span class="muted small">${sub}</span>` : null}<div class="grow"></div>${actions}</header>
    ${children}
  </section>`;

/**
 * Page header with a title and actions on the right.
 * @param {{ title: any, sub?: any, children?: any }} p
 */
export const PageHead = ({ title, sub, children }) => html`
  <div class="page-head"><div><h1>${title}</h1>${sub ? html`<div class="muted">${sub}</div>` : null}</div><div class="grow"></div>${children}</div>`;

/**
 * Cursor paging (forward cursors from the server; a stack of the ones seen to go back).
 * @param {{ page: number, hasNext: boolean, onPrev: () => void, onNext: () => void, count?: number }} p
 */
export const Pager = ({ page, hasNext, onPrev, onNext, count }) => (page === 0 && !hasNext ? null : html`
  <div class="pager">
    <button class="btn" disabled=${page === 0} onClick=${onPrev}>‹ Newer</button>
    <span class="muted small">page ${page + 1}${count !== undefined ? ` · ${count} shown` : ''}</span>
    <button class="btn" disabled=${!hasNext} onClick=${onNext}>Older ›</button>
  </div>`);

/** Cursor stack for Pager: [cursor of page 0 (undefined), cursor of page 1, ...]. */
export function useCursors() {
  const [stack, setStack] = useState(/** @type {(string | undefined)[]} */ ([undefined]));
  const page = stack.length - 1;
  return {
    page,
    cursor: stack[page],
    /** @param {string} next */
    next: (next) => setStack((s) => [...s, next]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
  };
}

/**
 * A stacked bar of succeeded / failed / running / pending out of total.
 * @param {{ counts: { total: number, succeeded?: number, failed?: number, running?: number, pending?: number }, legend?: boolean }} p
 */
export function Progress({ counts, legend }) {
  const total = Math.max(counts.total || 0, 1);
  const parts = /** @type {const} */ (['succeeded', 'failed', 'running', 'pending']);
  const done = (counts.succeeded ?? 0) + (counts.failed ?? 0);
  return html`
    <div class="progress-wrap">
      <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${counts.total} aria-valuenow=${done}>
        ${parts.map((k) => html`<span class=${`seg ${k}`} style=${`width:${(((counts[k] ?? 0) / total) * 100).toFixed(2)}%`}></span>`)}
      </div>
      ${legend
        ? html`<div class="legend small">${parts.map((k) => html`<span><i class=${`dot ${k}`}></i>${k} ${num(counts[k] ?? 0)}</span>`)}<span class="muted">of ${num(counts.total)}</span></div>`
        : html`<span class="small muted progress-num">${num(done)} / ${num(counts.total)}</span>`}
    </div>`;
}

/**
 * A button that runs an async action, shows it is busy, and reports an error next to it.
 * @param {{ onClick: () => Promise<unknown>, children: any, kind?: string, disabled?: boolean, title?: string }} p
 */
export function ActionButton({ onClick, children, kind = '', disabled, title }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {any} */ (undefined));
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onClick();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action"><button class=${`btn ${kind}`} disabled=${disabled || busy} title=${title ?? ''} onClick=${run}>${busy ? '…' : children}</button>${error ? html`<span class="inline-error" role="alert">${error.message}</span>` : null}</span>`;
}

/** A pre block for JSON or text. @param {{ text: string, max?: boolean }} p */
export const Code = ({ text }) => html`<pre class="code">${text}</pre>`;
