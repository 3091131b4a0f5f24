// One queue: its counts (live), a chart of depth, in-flight and oldest age, and the messages of
// its dead-letter queue (or its own, when it is one) with redrive.
import { html } from '../lib/html.js';
import { seg } from '../lib/api.js';
import { useApi, useEvent } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { duration } from '../lib/format.js';
import { ErrorNote, Loading, PageHead, Section, Stat } from '../ui/widgets.js';
import { QueueChart } from './queue-chart.js';
import { Messages } from './messages.js';

/** @param {{ name: string }} p */
export function QueueScreen({ name }) {
  const queues = useApi('queues');
  const history = useApi(`queues/${seg(name)}/history`);
  useEvent('queue', (ev) => queues.set((d) => d && { ...d, items: d.items.map((/** @type {any} */ q) => {
    if (q.name === ev.name) return { ...q, ...ev };
    if (q.dlq === ev.name && typeof ev.depth === 'number') return { ...q, dlqDepth: ev.depth };
    return q;
  }) }));
  if (queues.error) return html`<${PageHead} title=${name} /><${ErrorNote} error=${queues.error} />`;
  if (!queues.data) return html`<${Loading} />`;
  const q = queues.data.items.find((/** @type {any} */ x) => x.name === name);
  if (!q) return html`<${PageHead} title=${name} /><div class="note bad">No queue named "${name}". <a href="#/queues">All queues</a></div>`;
  const sources = queues.data.items.filter((/** @type {any} */ x) => x.dlq === name);
  const dlq = q.dlq ? queues.data.items.find((/** @type {any} */ x) => x.name === q.dlq) : undefined;
  return html`
    <${PageHead} title=${html`<a class="crumb" href="#/queues">Queues</a> ${name}`}
      sub=${sources.length ? html`dead-letter queue of ${sources.map((/** @type {any} */ s, i) => html`${i ? ', ' : ''}<a href=${href('queues', s.name)}>${s.name}</a>`)}` : q.dlq ? html`dead letters go to <a href=${href('queues', q.dlq)}>${q.dlq}</a>` : 'no dead-letter queue'} />
    <div class="stats">
      <${Stat} label="depth" value=${q.depth} hint="visible messages, ready to receive" />
      <${Stat} label="in flight" value=${q.inFlight} />
      <${Stat} label="delayed" value=${q.delayed} />
      <${Stat} label="oldest" value=${q.oldestAgeMs ? duration(q.oldestAgeMs) : '–'} />
      ${q.dlq ? html`<${Stat} label=${`in ${q.dlq}`} value=${q.dlqDepth ?? dlq?.depth ?? 0} alert=${(q.dlqDepth ?? 0) > 0} />` : null}
    </div>
    <${Section} title="Last 10 minutes" sub="sampled every second while the dashboard runs">
      <${ErrorNote} error=${history.error} />
      ${history.data ? html`<${QueueChart} name=${name} points=${history.data.points} />` : html`<${Loading} />`}
    </${Section}>
    ${q.dlq ? html`<${Messages} key=${q.dlq} queue=${q.dlq} redrive=${true} title=${html`Dead-lettered messages <span class="muted">in ${q.dlq}</span>`} />` : null}
    ${sources.length ? html`<${Messages} key=${name} queue=${name} redrive=${true} title="Dead-lettered messages" />` : null}`;
}
