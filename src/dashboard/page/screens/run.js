// One run: status, timing, attempt, what started it, its input summary, its error with the stack,
// the records it handled and its log lines. A failed run can be retried (the new run opens). A
// running run can be cancelled: the request is stored and the process running it stops it within
// about a second (its worker is terminated); the `run` event then shows it `cancelled`.
import { html } from '../lib/html.js';
import { post, seg } from '../lib/api.js';
import { useApi, useEvent } from '../lib/hooks.js';
import { href, go } from '../lib/router.js';
import { duration, time, pretty } from '../lib/format.js';
import { ActionButton, Badge, Code, ErrorNote, Loading, PageHead, Section, Empty } from '../ui/widgets.js';

/** @param {{ id: string }} p */
export function RunScreen({ id }) {
  const { data, error, reload } = useApi(`runs/${seg(id)}`);
  useEvent('run', (ev) => ev.id === id && reload());
  if (error) return html`<${PageHead} title="Run" sub=${id} /><${ErrorNote} error=${error} /><p><a href="#/runs">All runs</a></p>`;
  if (!data) return html`<${Loading} />`;
  const { run, logs } = data;
  const retry = async () => {
    const res = await post(`runs/${seg(id)}/retry`);
    go('runs', res.runId);
  };
  const cancel = async () => {
    await post(`runs/${seg(id)}/cancel`);
    reload();
  };
  const asked = run.cancelRequest;
  return html`
    <${PageHead} title=${html`<a class="crumb" href=${href('runs', { fn: run.fn })}>${run.fn}</a> <span class="mono">${run.id}</span>`} sub=${`started by ${run.trigger}`}>
      <${Badge} status=${run.status} />
      ${run.status === 'error' || run.status === 'timeout' || run.status === 'cancelled' ? html`<${ActionButton} kind="primary" onClick=${retry}>Retry</${ActionButton}>` : null}
      ${run.status === 'running' && !asked ? html`<${ActionButton} kind="danger" title="Stop this run: its worker is terminated as on a timeout" onClick=${cancel}>Cancel</${ActionButton}>` : null}
    </${PageHead}>
    ${run.status === 'running' && asked ? html`<div class="note info" data-cancel-requested>Cancel requested${asked.by ? ` by ${asked.by}` : ''} at ${time(asked.at)}; the process running it stops it within about a second.</div>` : null}
    <div class="kv card">
      <div><span class="muted">Started</span> ${time(run.startedAt)}</div>
      <div><span class="muted">Duration</span> ${run.status === 'running' ? 'running…' : duration(run.durationMs)}</div>
      <div><span class="muted">Attempt</span> ${run.attempt}</div>
      <div><span class="muted">Trigger</span> ${run.trigger.startsWith('retry:') ? html`retry of <a class="mono" href=${href('runs', run.trigger.slice(6))}>${run.trigger.slice(6, 14)}</a>` : run.trigger}</div>
      ${run.requestId ? html`<div><span class="muted">Request id</span> <span class="mono">${run.requestId}</span></div>` : null}
      <div><span class="muted">Records</span> ${run.recordIds?.length ?? 0}</div>
    </div>
    ${run.error ? html`
      <${Section} title="Error">
        <div class="error-box"><strong>${run.error.type}</strong> ${run.error.message}</div>
        ${run.error.stack ? html`<details open><summary class="muted small">Stack</summary><${Code} text=${run.error.stack} /></details>` : null}
      </${Section}>` : null}
    <${Section} title="Input" sub="summary, cut to the store's size">
      ${run.input !== undefined && run.input !== null ? html`<${Code} text=${pretty(run.input)} />` : html`<${Empty}>No input recorded.</${Empty}>`}
    </${Section}>
    ${run.recordIds?.length ? html`<${Section} title="Records" sub=${`${run.recordIds.length} handled`}><div class="ids mono small">${run.recordIds.slice(0, 200).map((/** @type {string} */ r) => html`<span>${r}</span>`)}</div></${Section}>` : null}
    <${Section} title="Logs" sub=${`${logs.length} line${logs.length === 1 ? "" : "s"}`}>
      ${logs.length ? html`<table class="list logs"><tbody>${logs.map((/** @type {any} */ l) => html`
        <tr class=${`lvl-${l.level}`}><td class="mono small nowrap">${time(l.time)}</td><td><span class=${`lvl ${l.level}`}>${l.level}</span></td><td class="mono pre">${l.message}</td></tr>`)}
      </tbody></table>` : html`<${Empty}>No log lines.</${Empty}>`}
    </${Section}>`;
}
