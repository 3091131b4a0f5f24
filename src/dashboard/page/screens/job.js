// One job: status (live from `job` events), progress, its relays on a timeline, checkpoint and
// input, steps, and cancel while it has not finished.
import { html } from '../lib/html.js';
import { post, seg } from '../lib/api.js';
import { useApi, useEvent, useNow } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { duration, time, pretty, num } from '../lib/format.js';
import { ActionButton, Badge, Code, Empty, ErrorNote, Loading, PageHead, Progress, Section } from '../ui/widgets.js';

const finalStates = new Set(['succeeded', 'failed', 'cancelled']);

/** @param {{ relays: { n: number, runId?: string, startedAt: number, endedAt?: number, status: string, error?: { type: string, message: string } }[], now: number }} p */
function Timeline({ relays, now }) {
  if (!relays.length) return html`<${Empty}>No relays yet.</${Empty}>`;
  const start = Math.min(...relays.map((r) => r.startedAt));
  const end = Math.max(...relays.map((r) => r.endedAt ?? now), start + 1);
  const span = end - start;
  const shown = relays.slice(-100);
  return html`
    <div class="timeline" data-timeline>
      <div class="track">
        ${relays.map((r) => html`<span class=${`relay ${r.status}`} title=${`relay ${r.n}: ${r.status}, ${duration((r.endedAt ?? now) - r.startedAt)}`}
          style=${`left:${(((r.startedAt - start) / span) * 100).toFixed(3)}%;width:max(3px, ${((((r.endedAt ?? now) - r.startedAt) / span) * 100).toFixed(3)}%)`}></span>`)}
      </div>
      <div class="axis small muted"><span>${time(start)}</span><span>${duration(span)}</span><span>${time(end)}</span></div>
    </div>
    <table class="list compact"><thead><tr><th class="num">Relay</th><th>Status</th><th>Started</th><th class="num">Duration</th><th>Error</th></tr></thead><tbody>
      ${shown.map((r) => html`<tr><td class="num">${r.runId ? html`<a href=${href('runs', r.runId)}>${r.n}</a>` : r.n}</td><td><${Badge} status=${r.status} /></td><td>${time(r.startedAt)}</td><td class="num">${r.endedAt ? duration(r.endedAt - r.startedAt) : 'running'}</td><td class="err-cell">${r.error ? html`<strong>${r.error.type}</strong> ${r.error.message}` : ''}</td></tr>`)}
    </tbody></table>
    ${relays.length > shown.length ? html`<p class="muted small">The last ${shown.length} of ${relays.length} relays.</p>` : null}`;
}

/** @param {{ id: string }} p */
export function JobScreen({ id }) {
  const { data, error, reload } = useApi(`jobs/${seg(id)}`);
  const now = useNow(2000);
  useEvent('job', (ev) => ev.id === id && reload());
  if (error) return html`<${PageHead} title="Job" sub=${id} /><${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const { job, relays, steps = [] } = data;
  const cancel = async () => {
    await post(`jobs/${seg(id)}/cancel`);
    reload();
  };
  return html`
    <${PageHead} title=${html`<a class="crumb" href="#/jobs">Jobs & maps</a> Job <span class="mono">${id}</span>`} sub=${`${job.fn} · ${job.executor ?? ''} executor · created ${time(job.createdAt)}`}>
      <${Badge} status=${job.status} />
      <${ActionButton} kind="danger" disabled=${finalStates.has(job.status)} onClick=${cancel}>Cancel</${ActionButton}>
    </${PageHead}>
    <div class="kv card">
      <div><span class="muted">Relays</span> ${num(job.relay)}${job.budget ? html` <span class="muted">of ${num(job.budget.maxRelays)}</span>` : null}</div>
      <div><span class="muted">Failures</span> ${num(job.failures)}${job.budget ? html` <span class="muted">of ${num(job.budget.maxFailures)}</span>` : null}</div>
      <div><span class="muted">Updated</span> ${time(job.updatedAt)}</div>
      ${job.waitingFor ? html`<div><span class="muted">Waiting for</span> ${job.waitingFor}${job.wakeAt ? ` until ${time(job.wakeAt)}` : ''}</div>` : null}
    </div>
    ${job.progress ? html`<div class="card"><div class="muted small">Progress</div>${job.progress.total
      ? html`<${Progress} counts=${{ total: job.progress.total, succeeded: job.progress.done }} />`
      : html`<strong>${num(job.progress.done)}</strong> done`}</div>` : null}
    ${job.error ? html`<${Section} title="Error"><div class="error-box"><strong>${job.error.name}</strong> ${job.error.message}</div>${job.error.stack ? html`<${Code} text=${job.error.stack} />` : null}</${Section}>` : null}
    <${Section} title="Relays" sub=${`${relays.length}`}><${Timeline} relays=${relays} now=${now} /></${Section}>
    ${steps.length ? html`<${Section} title="Steps" sub=${`${steps.length}`}>
      <table class="list compact"><thead><tr><th class="num">#</th><th>Step</th><th>Status</th><th class="num">Attempts</th><th>Started</th><th>Error</th></tr></thead><tbody>
        ${steps.map((/** @type {any} */ s) => html`<tr><td class="num">${s.position}</td><td class="mono">${s.name}</td><td><${Badge} status=${s.status === 'done' ? 'succeeded' : s.status} /></td><td class="num">${s.attempts}</td><td>${time(s.startedAt)}</td><td class="err-cell">${s.error ? html`<strong>${s.error.type}</strong> ${s.error.message}` : ''}</td></tr>`)}
      </tbody></table>
    </${Section}>` : null}
    <div class="cols2">
      <${Section} title="Checkpoint">${job.checkpoint !== undefined ? html`<${Code} text=${pretty(job.checkpoint)} />` : html`<${Empty}>None yet.</${Empty}>`}</${Section}>
      <${Section} title="Input">${job.input !== undefined ? html`<${Code} text=${pretty(job.input)} />` : html`<${Empty}>None.</${Empty}>`}</${Section}>
    </div>
    ${job.result !== undefined ? html`<${Section} title="Result"><${Code} text=${pretty(job.result)} /></${Section}>` : null}`;
}
