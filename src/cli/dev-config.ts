/**
 * What changed between two versions of an app (`baton dev` re-provisions on a saved
 * baton.config.ts and says what it did): each resource, by kind and name, added, removed or
 * changed, with the fields that changed. Functions in a config (a routing rule) compare by source.
 */
import type { AppSpec } from '../core/app.ts';

export const specKinds = ['queue', 'bucket', 'table', 'topic', 'params', 'fn', 'schedule', 'alarm', 'firehose'] as const;
export type SpecKind = (typeof specKinds)[number];

export interface SpecChange {
  kind: SpecKind;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** For a change: the top-level fields that differ. */
  fields?: string[];
}

/** Each kind's resources by name. */
function byName(spec: AppSpec): Record<SpecKind, Map<string, Record<string, unknown>>> {
  const m = <T>(items: readonly T[], key: (t: T) => string) => new Map(items.map((i) => [key(i), i as unknown as Record<string, unknown>]));
  return {
    queue: m(spec.queues, (q) => q.name),
    bucket: m(spec.buckets, (b) => b.name),
    table: m(spec.tables, (t) => t.name),
    topic: m(spec.topics, (t) => t.name),
    params: m(spec.params, (p) => p.path),
    fn: m(spec.fns, (f) => f.name),
    schedule: m(spec.schedules, (s) => s.name),
    alarm: m(spec.alarms, (a) => a.name),
    firehose: m(spec.firehoses, (h) => h.name),
  };
}

const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'function' ? `fn:${String(x)}` : x)) ?? 'undefined';

export function diffSpecs(before: AppSpec, after: AppSpec): SpecChange[] {
  const a = byName(before);
  const b = byName(after);
  const out: SpecChange[] = [];
  for (const kind of specKinds) {
    for (const [name, old] of a[kind]) {
      const now = b[kind].get(name);
      if (!now) {
        out.push({ kind, name, change: 'removed' });
        continue;
      }
      const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((f) => text(old[f]) !== text(now[f]));
      if (fields.length) out.push({ kind, name, change: 'changed', fields });
    }
    for (const name of b[kind].keys()) if (!a[kind].has(name)) out.push({ kind, name, change: 'added' });
  }
  return out;
}

/** '+ queue orders', '~ fn hello (timeoutMs, env)', '- topic alerts'. */
export function describeChange(c: SpecChange): string {
  const mark = c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~';
  return `${mark} ${c.kind} ${c.name}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}`;
}
