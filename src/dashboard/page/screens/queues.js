// Queues: every queue's depth, in-flight, delayed, oldest age and its dead-letter queue, kept live
// by `queue` events.
import { html } from '../lib/html.js';
import { useApi, useEvent } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { duration, num } from '../lib/format.js';
import { ErrorNote, Loading, PageHead, Empty } from '../ui/widgets.js';

export function QueuesScreen() {
  const { data, error, set } = useApi('queues');
  useEvent('queue', (ev) => set((d) => d && { ...d, items: d.items.map((/** @type {any} */ q) => {
    if (q.name === ev.name) return { ...q, ...ev };
    if (q.dlq === ev.name && typeof ev.depth === 'number') return { ...q, dlqDepth: ev.depth };
    return q;
  }) }));
  if (error) return html`<${PageHead} title="Queues" /><${ErrorNote} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  const dlqs = new Set(data.items.map((/** @type {any} */ q) => q.dlq).filter(Boolean));
  return html`
    <${PageHead} title="Queues" sub=${`${data.items.length} queues`} />
    ${data.items.length === 0 ? html`<${Empty}>No queues.</${Empty}>` : html`
    <div class="card flush"><table class="list">
      <thead><tr><th>Queue</th><th class="num">Depth</th><th class="num">In flight</th><th class="num">Delayed</th><th class="num">Oldest</th><th>Dead-letter queue</th></tr></thead>
      <tbody>${data.items.map((/** @type {any} */ q) => html`
        <tr data-queue=${q.name}>
          <td><a href=${href('queues', q.name)}><strong>${q.name}</strong></a>${dlqs.has(q.name) ? html` <span class="chip bad-chip">DLQ</span>` : null}</td>
          <td class="num" data-field="depth">${num(q.depth)}</td>
          <td class="num">${num(q.inFlight)}</td>
          <td class="num">${num(q.delayed)}</td>
          <td class="num">${q.oldestAgeMs ? duration(q.oldestAgeMs) : '–'}</td>
          <td>${q.dlq ? html`<a href=${href('queues', q.dlq)}>${q.dlq}</a> <span class=${q.dlqDepth ? 'count-bad' : 'muted'}>${num(q.dlqDepth ?? 0)}</span>` : html`<span class="muted">none</span>`}</td>
        </tr>`)}
      </tbody></table></div>`}`;
}
