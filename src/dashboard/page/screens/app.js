// App: the app as a graph of its resources and the triggers between them, with live counts on
// each node (from the page's `counts` events, merged into the app by main.js). Clicking a node
// opens its screen; kinds without one (buckets, topics, firehoses, alarms) show their details here.
import { html, useState } from '../lib/html.js';
import { href, go } from '../lib/router.js';
import { num } from '../lib/format.js';
import { Loading, PageHead, Section, Empty } from '../ui/widgets.js';
import { layout, edgePath, NODE_W, NODE_H } from './graph-layout.js';

const labels = /** @type {Record<string, string>} */ ({
  depth: 'depth', inFlight: 'in flight', delayed: 'delayed', dlqDepth: 'DLQ', oldestAgeMs: 'oldest ms',
  runsPerMinute: '/min', errors: 'errors', running: 'running', items: 'items', objects: 'objects', deliveries: 'sent', state: '',
});
/** Counts that are bad news when above zero. */
const alarming = new Set(['dlqDepth', 'errors', 'deadLettered', 'failed']);

/** @param {any} node */
export function screenOf(node) {
  switch (node.kind) {
    case 'queue': return href('queues', node.name);
    case 'fn': return href('runs', { fn: node.name });
    case 'table': return href('tables', { name: node.name });
    case 'schedule': return href('schedules');
    case 'params': return href('params');
    default: return undefined;
  }
}

/** The counts worth a glance, in a fixed order, at most three. @param {Record<string, unknown>} counts */
function countParts(counts) {
  const order = ['depth', 'inFlight', 'dlqDepth', 'runsPerMinute', 'errors', 'running', 'items', 'delayed'];
  // Delayed messages only when there are some; the oldest age is for the queue's own screen.
  const keys = Object.keys(counts ?? {}).filter((k) => (typeof counts[k] === 'number' || typeof counts[k] === 'string') && k !== 'oldestAgeMs' && !(k === 'delayed' && !counts[k]));
  keys.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return keys.slice(0, 3).map((k) => ({ key: k, label: labels[k] ?? k, value: counts[k] }));
}

/** @param {{ box: import('./graph-layout.js').Box & { node: any }, selected: boolean, isDlq: boolean, onSelect: (n: any) => void }} p */
function Node({ box, selected, isDlq, onSelect }) {
  const n = box.node;
  const parts = countParts(n.counts);
  const open = () => {
    const to = screenOf(n);
    if (to) location.hash = to;
    else onSelect(n);
  };
  return html`
    <g class=${`node k-${n.kind}${selected ? ' selected' : ''}`} transform=${`translate(${box.x},${box.y})`} data-node=${n.id} role="link" tabindex="0"
      onClick=${open} onKeyDown=${(/** @type {KeyboardEvent} */ e) => e.key === 'Enter' && open()}>
      <title>${n.kind} ${n.name}${n.detail ? ` (${n.detail})` : ''}</title>
      <rect class="box" width=${NODE_W} height=${NODE_H} rx="8" />
      <rect class="stripe" width="5" height=${NODE_H} rx="2" />
      <text class="kind" x="16" y="17">${n.kind}</text>
      <text class="name" x="16" y="35">${n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name}</text>
      <text class="counts" x="16" y="51">
        ${parts.length
          ? parts.map((p, i) => html`${i ? html`<tspan> · </tspan>` : null}<tspan class=${(alarming.has(p.key) || (isDlq && p.key === 'depth')) && Number(p.value) > 0 ? 'alarm' : ''} data-count=${p.key}>${typeof p.value === 'number' ? num(p.value) : p.value}${p.label ? ` ${p.label}` : ''}</tspan>`)
          : html`<tspan class="detail">${n.detail ? (n.detail.length > 30 ? `${n.detail.slice(0, 29)}…` : n.detail) : ' '}</tspan>`}
      </text>
    </g>`;
}

/** @param {{ app: any }} p */
export function AppScreen({ app }) {
  const [selected, setSelected] = useState(/** @type {any} */ (undefined));
  if (!app) return html`<${Loading} />`;
  const { boxes, width, height, loose } = layout(app.nodes, app.edges);
  // Nodes with no connection wrap in rows as wide as the graph (at least five to a row).
  const perRow = Math.max(5, Math.floor((width - 16) / (NODE_W + 16)));
  const looseBoxes = loose.map((n, i) => ({ node: n, x: 16 + (i % perRow) * (NODE_W + 16), y: 8 + Math.floor(i / perRow) * (NODE_H + 16) }));
  const looseW = 16 + Math.min(loose.length, perRow) * (NODE_W + 16);
  const looseH = 16 + Math.ceil(loose.length / perRow) * (NODE_H + 16);
  const sel = selected && app.nodes.find((/** @type {any} */ n) => n.id === selected.id);
  const kinds = [...new Set(app.nodes.map((/** @type {any} */ n) => n.kind))];
  // A dead-letter queue's depth is bad news, as a DLQ count is.
  const dlqs = new Set(app.edges.filter((/** @type {any} */ e) => e.kind === 'dlq').map((/** @type {any} */ e) => e.to));
  return html`
    <${PageHead} title=${app.name} sub=${`${app.nodes.length} resources · ${app.edges.length} connections · ${app.backend} backend`}>
      <div class="legend small">${kinds.map((k) => html`<span><i class=${`dot k-${k}`}></i>${k}</span>`)}</div>
    </${PageHead}>
    <div class="graph card">
      ${boxes.size
        ? html`<svg width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} aria-label="app graph">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" /></marker></defs>
            ${app.edges.map((/** @type {any} */ e) => {
              const a = boxes.get(e.from);
              const b = boxes.get(e.to);
              return a && b ? html`<path class=${`edge e-${e.kind}`} d=${edgePath(a, b)} marker-end="url(#arrow)"><title>${e.kind}: ${a.node.name} → ${b.node.name}</title></path>` : null;
            })}
            ${[...boxes.values()].map((b) => html`<${Node} key=${b.node.id} box=${b} selected=${sel?.id === b.node.id} isDlq=${dlqs.has(b.node.id)} onSelect=${setSelected} />`)}
          </svg>`
        : html`<${Empty}>No connected resources.</${Empty}>`}
      ${loose.length
        ? html`<div class="loose"><div class="muted small">Not connected by a trigger</div>
            <svg width=${looseW} height=${looseH} viewBox=${`0 0 ${looseW} ${looseH}`}>
              ${looseBoxes.map((b) => html`<${Node} key=${b.node.id} box=${b} selected=${sel?.id === b.node.id} isDlq=${false} onSelect=${setSelected} />`)}
            </svg></div>`
        : null}
    </div>
    ${sel ? html`<${NodeDetail} app=${app} node=${sel} onClose=${() => setSelected(undefined)} />` : null}`;
}

/** @param {{ app: any, node: any, onClose: () => void }} p */
function NodeDetail({ app, node, onClose }) {
  const name = (/** @type {string} */ id) => app.nodes.find((/** @type {any} */ n) => n.id === id)?.name ?? id;
  const ins = app.edges.filter((/** @type {any} */ e) => e.to === node.id);
  const outs = app.edges.filter((/** @type {any} */ e) => e.from === node.id);
  const link = (/** @type {string} */ id) => {
    const n = app.nodes.find((/** @type {any} */ x) => x.id === id);
    const to = n && screenOf(n);
    return to ? html`<a href=${to}>${name(id)}</a>` : html`<a href="#/app" onClick=${(/** @type {Event} */ ev) => { ev.preventDefault(); go('app'); }}>${name(id)}</a>`;
  };
  return html`
    <${Section} title=${html`<span class="chip">${node.kind}</span> ${node.name}`} sub=${node.detail} actions=${html`<button class="btn" onClick=${onClose}>Close</button>`}>
      <div class="kv">
        ${Object.entries(node.counts ?? {}).map(([k, v]) => html`<div><span class="muted">${labels[k] || k}</span> <strong>${typeof v === 'number' ? num(v) : String(v)}</strong></div>`)}
      </div>
      <div class="cols2">
        <div><h3>In</h3>${ins.length ? html`<ul>${ins.map((/** @type {any} */ e) => html`<li>${link(e.from)} <span class="muted">(${e.kind})</span></li>`)}</ul>` : html`<p class="muted">nothing</p>`}</div>
        <div><h3>Out</h3>${outs.length ? html`<ul>${outs.map((/** @type {any} */ e) => html`<li>${link(e.to)} <span class="muted">(${e.kind})</span></li>`)}</ul>` : html`<p class="muted">nothing</p>`}</div>
      </div>
    </${Section}>`;
}
