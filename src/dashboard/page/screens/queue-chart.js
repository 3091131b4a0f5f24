// A queue's depth, in-flight count and oldest message age over the last ten minutes (uPlot): the
// server's sampled history first, then every `queue` event appended as it arrives. uPlot is
// loaded only when a chart is shown, so it never slows the first paint.
import { html, useEffect, useRef } from '../lib/html.js';
import { useEvent } from '../lib/hooks.js';

const windowMs = 10 * 60_000;

/**
 * The x range in seconds: the data's, but at least the last minute, so a chart of a few samples
 * has a readable time axis.
 * @param {number | null} min @param {number | null} max @returns {[number, number]}
 */
function xRange(min, max) {
  const hi = max ?? Date.now() / 1000;
  return [Math.min(min ?? hi, hi - 60), hi];
}

let cssAdded = false;
function addCss() {
  if (cssAdded) return;
  cssAdded = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/vendor/uplot/dist/uPlot.min.css';
  document.head.append(link);
}

/** @param {{ name: string, points: { t: number, depth: number, inFlight: number, oldestAgeMs: number }[] }} p */
export function QueueChart({ name, points }) {
  const el = useRef(/** @type {HTMLDivElement | null} */ (null));
  const plot = useRef(/** @type {any} */ (null));
  /** Columns for uPlot: seconds, depth, in flight, oldest age in seconds. */
  const cols = useRef(/** @type {number[][]} */ ([[], [], [], []]));

  useEffect(() => {
    addCss();
    cols.current = [[], [], [], []];
    for (const p of points) push(p);
    let alive = true;
    /** @type {ResizeObserver | undefined} */
    let ro;
    import('uplot').then(({ default: UPlot }) => {
      if (!alive || !el.current) return;
      const width = el.current.clientWidth || 800;
      plot.current = new UPlot({
        width,
        height: 220,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true, range: (_u, min, max) => xRange(min, max) }, n: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] }, age: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max * 1.15))] } },
        axes: [
          { stroke: '#6b7280', grid: { stroke: '#eef0f3' } },
          { scale: 'n', stroke: '#6b7280', grid: { stroke: '#eef0f3' }, label: 'messages', size: 50 },
          { scale: 'age', side: 1, stroke: '#b45309', grid: { show: false }, label: 'oldest (s)', size: 56 },
        ],
        series: [
          {},
          { label: 'depth', scale: 'n', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)', points: { show: false } },
          { label: 'in flight', scale: 'n', stroke: '#7c3aed', width: 2, points: { show: false } },
          { label: 'oldest age (s)', scale: 'age', stroke: '#d97706', width: 1.5, dash: [5, 4], points: { show: false } },
        ],
      }, /** @type {any} */ (cols.current), el.current);
      ro = new ResizeObserver(() => el.current && plot.current?.setSize({ width: el.current.clientWidth, height: 220 }));
      ro.observe(el.current);
    });
    return () => {
      alive = false;
      ro?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [name, points]);

  /** @param {{ t?: number, depth: number, inFlight: number, oldestAgeMs: number }} p */
  function push(p) {
    const c = cols.current;
    const t = (p.t ?? Date.now()) / 1000;
    const last = c[0]?.[c[0].length - 1];
    if (last !== undefined && t <= last) return;
    c[0]?.push(t);
    c[1]?.push(p.depth ?? 0);
    c[2]?.push(p.inFlight ?? 0);
    c[3]?.push((p.oldestAgeMs ?? 0) / 1000);
    const cut = (Date.now() - windowMs) / 1000;
    while (c[0] && c[0].length > 2 && /** @type {number} */ (c[0][0]) < cut) for (const col of c) col.shift();
  }

  useEvent('queue', (ev) => {
    if (ev.name !== name) return;
    push(ev);
    plot.current?.setData(cols.current);
  });

  return html`<div class="chart" ref=${el} data-chart=${name}></div>`;
}
