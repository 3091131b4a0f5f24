// A layered layout for the app graph, left to right in the direction of the triggers: each node's
// column is the longest path of edges leading to it (cycles are cut), nodes in a column are
// ordered by the mean row of their neighbours (two sweeps, fewer crossings), and nodes with no
// edge at all go in a row of their own under the graph. Pure: nodes and edges in, boxes out.

export const NODE_W = 196;
export const NODE_H = 60;
const COL_GAP = 84;
const ROW_GAP = 16;
const PAD = 16;

/** Where nodes of a kind sit when nothing else decides (sources left, sinks right). */
const kindOrder = /** @type {Record<string, number>} */ ({ firehose: 0, schedule: 1, bucket: 2, topic: 3, queue: 4, fn: 5, table: 6, alarm: 7, params: 8 });

/**
 * @typedef {{ id: string, kind: string, name: string }} GNode
 * @typedef {{ from: string, to: string, kind: string }} GEdge
 * @typedef {{ node: GNode, x: number, y: number }} Box
 */

/**
 * @param {GNode[]} nodes @param {GEdge[]} edges
 * @returns {{ boxes: Map<string, Box>, width: number, height: number, loose: GNode[] }}
 */
export function layout(nodes, edges) {
  const ids = new Set(nodes.map((n) => n.id));
  const live = edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  const linked = new Set(live.flatMap((e) => [e.from, e.to]));
  const inGraph = nodes.filter((n) => linked.has(n.id));
  const loose = nodes.filter((n) => !linked.has(n.id));

  // Columns: longest path, relaxed at most |V| times so a cycle cannot loop forever.
  /** @type {Map<string, number>} */
  const col = new Map(inGraph.map((n) => [n.id, 0]));
  for (let i = 0; i < inGraph.length; i++) {
    let changed = false;
    for (const e of live) {
      const want = (col.get(e.from) ?? 0) + 1;
      if (want > (col.get(e.to) ?? 0) && want < inGraph.length) {
        col.set(e.to, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // A source with a single successor sits just left of it (a schedule next to the queue it fills).
  for (const n of inGraph) {
    const out = live.filter((e) => e.from === n.id);
    const hasIn = live.some((e) => e.to === n.id);
    if (!hasIn && out.length > 0) col.set(n.id, Math.max(0, Math.min(...out.map((e) => (col.get(e.to) ?? 1) - 1))));
  }

  const columns = /** @type {GNode[][]} */ ([]);
  for (const n of inGraph) (columns[col.get(n.id) ?? 0] ??= []).push(n);
  for (const c of columns) c?.sort((a, b) => (kindOrder[a.kind] ?? 9) - (kindOrder[b.kind] ?? 9) || a.name.localeCompare(b.name));

  // Order within columns by the mean row of neighbours, a sweep each way.
  /** @type {Map<string, number>} */
  const row = new Map();
  const index = () => columns.forEach((c) => c?.forEach((n, i) => row.set(n.id, i)));
  index();
  /** @param {string} id @param {'from' | 'to'} side */
  const mean = (id, side) => {
    const other = live.filter((e) => (side === 'from' ? e.to === id : e.from === id)).map((e) => row.get(side === 'from' ? e.from : e.to) ?? 0);
    return other.length ? other.reduce((a, b) => a + b, 0) / other.length : (row.get(id) ?? 0);
  };
  for (const side of /** @type {const} */ (['from', 'to'])) {
    const order = side === 'from' ? columns.keys() : [...columns.keys()].reverse();
    for (const i of order) {
      const c = columns[i];
      if (!c) continue;
      const m = new Map(c.map((n) => [n.id, mean(n.id, side)]));
      c.sort((a, b) => (m.get(a.id) ?? 0) - (m.get(b.id) ?? 0));
      c.forEach((n, j) => row.set(n.id, j));
    }
  }

  const tallest = Math.max(0, ...columns.map((c) => c?.length ?? 0));
  const graphH = tallest * (NODE_H + ROW_GAP) - ROW_GAP;
  /** @type {Map<string, Box>} */
  const boxes = new Map();
  columns.forEach((c, i) => {
    if (!c) return;
    const h = c.length * (NODE_H + ROW_GAP) - ROW_GAP;
    const top = PAD + (graphH - h) / 2;
    c.forEach((n, j) => boxes.set(n.id, { node: n, x: PAD + i * (NODE_W + COL_GAP), y: top + j * (NODE_H + ROW_GAP) }));
  });
  const width = Math.max(PAD * 2 + columns.length * (NODE_W + COL_GAP) - COL_GAP, 0);
  return { boxes, width, height: tallest ? graphH + PAD * 2 : 0, loose };
}

/**
 * An edge's SVG path between two boxes: right side to left side, or a loop under both when the
 * target is not to the right.
 * @param {Box} a @param {Box} b
 */
export function edgePath(a, b) {
  const y1 = a.y + NODE_H / 2;
  const y2 = b.y + NODE_H / 2;
  if (b.x > a.x) {
    const x1 = a.x + NODE_W;
    const x2 = b.x;
    const dx = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
  }
  if (b.x === a.x) {
    // Same column: out of the right side, round and into the right side of the other.
    const x = a.x + NODE_W;
    return `M${x},${y1} C${x + 40},${y1} ${x + 40},${y2} ${x + 2},${y2}`;
  }
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2;
  const low = Math.max(a.y, b.y) + NODE_H + 30;
  return `M${x1},${a.y + NODE_H} C${x1},${low} ${x2},${low} ${x2},${b.y + NODE_H + 2}`;
}
