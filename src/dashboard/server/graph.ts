/**
 * The app as a graph (GET /api/app): one node per resource, one edge per connection between two
 * resources (a bucket's notification, a trigger, a DLQ, a schedule's target, a topic's
 * subscription, a firehose's delivery, a function's on-failure destination, an alarm's watch and
 * notification). Built from the spec alone; counts are added by counts.ts.
 */
import type { AppSpec } from '../../core/app.ts';

export type NodeKind = 'bucket' | 'queue' | 'table' | 'fn' | 'schedule' | 'topic' | 'firehose' | 'params' | 'alarm';
export type EdgeKind = 'notification' | 'trigger' | 'dlq' | 'target' | 'subscription' | 'delivery' | 'onFailure';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  name: string;
  /** What the node is, briefly (a schedule's expression, a fn's executor and timeout, a table's keys). */
  detail?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export const nodeId = (kind: NodeKind, name: string): string => `${kind}:${name}`;

function destinationId(d: { queue: string } | { topic: string } | { fn: string }): string {
  return 'queue' in d ? nodeId('queue', d.queue) : 'topic' in d ? nodeId('topic', d.topic) : nodeId('fn', d.fn);
}

export function appGraph(spec: AppSpec): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edge = (from: string, to: string, kind: EdgeKind) => edges.push({ from, to, kind });
  for (const b of spec.buckets) {
    nodes.push({ id: nodeId('bucket', b.name), kind: 'bucket', name: b.name });
    for (const n of b.notifications) {
      if (n.queue !== undefined) edge(nodeId('bucket', b.name), nodeId('queue', n.queue), 'notification');
      if (n.target?.startsWith('fn:')) edge(nodeId('bucket', b.name), nodeId('fn', n.target.slice(3)), 'notification');
    }
  }
  for (const q of spec.queues) {
    nodes.push({ id: nodeId('queue', q.name), kind: 'queue', name: q.name, ...(q.deadLetter ? { detail: `DLQ after ${q.deadLetter.maxReceiveCount} attempts` } : {}) });
    if (q.deadLetter) edge(nodeId('queue', q.name), nodeId('queue', q.deadLetter.queue), 'dlq');
  }
  for (const t of spec.tables) {
    nodes.push({ id: nodeId('table', t.name), kind: 'table', name: t.name, detail: `${t.partitionKey.name}${t.sortKey ? ` + ${t.sortKey.name}` : ''}${t.stream ? ', stream' : ''}` });
  }
  for (const p of spec.params) nodes.push({ id: nodeId('params', p.path), kind: 'params', name: p.path });
  for (const t of spec.topics) {
    nodes.push({ id: nodeId('topic', t.name), kind: 'topic', name: t.name });
    for (const s of t.subscribers) {
      if (s.kind === 'queue') edge(nodeId('topic', t.name), nodeId('queue', s.queue), 'subscription');
    }
  }
  for (const f of spec.fns) {
    nodes.push({ id: nodeId('fn', f.name), kind: 'fn', name: f.name, detail: `${f.executor}, ${Math.round(f.timeoutMs / 1000)} s` });
    for (const t of f.triggers) {
      if (t.kind === 'queue') edge(nodeId('queue', t.queue), nodeId('fn', f.name), 'trigger');
      else {
        edge(nodeId('table', t.table), nodeId('fn', f.name), 'trigger');
        if (t.onFailure) edge(nodeId('fn', f.name), destinationId(t.onFailure), 'onFailure');
      }
    }
    if (f.onFailure) edge(nodeId('fn', f.name), destinationId(f.onFailure), 'onFailure');
  }
  for (const s of spec.schedules) {
    nodes.push({ id: nodeId('schedule', s.name), kind: 'schedule', name: s.name, detail: `${s.source} (${s.timezone})` });
    if (s.target) edge(nodeId('schedule', s.name), destinationId(s.target), 'target');
  }
  for (const h of spec.firehoses) {
    nodes.push({ id: nodeId('firehose', h.name), kind: 'firehose', name: h.name });
    edge(nodeId('firehose', h.name), nodeId('bucket', h.bucket), 'delivery');
  }
  for (const a of spec.alarms) {
    nodes.push({ id: nodeId('alarm', a.name), kind: 'alarm', name: a.name, detail: `${a.metric} ≥ ${a.threshold}` });
    edge(nodeId('queue', a.queue), nodeId('alarm', a.name), 'trigger');
    edge(nodeId('alarm', a.name), nodeId('topic', a.topic), 'target');
  }
  // De-duplicate (two notification rules to the same queue are one edge on the graph).
  const seen = new Set<string>();
  return { nodes, edges: edges.filter((e) => !seen.has(`${e.from}>${e.to}>${e.kind}`) && seen.add(`${e.from}>${e.to}>${e.kind}`)) };
}
