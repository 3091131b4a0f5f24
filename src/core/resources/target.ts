/**
 * Where an event goes: the one shape every resource takes for it, a bucket notification's target,
 * a schedule's target, a topic's subscribers and a function's onFailure (async invocations and
 * stream triggers alike):
 *
 *   { queue: 'orders' } | { fn: 'ingest' } | { topic: 'alerts' }
 *
 * or the declared resource itself (`const orders = queue('orders')`, then `target: orders`). Each
 * field takes the kinds its service can deliver to (a bucket: queue or fn; onFailure: queue or
 * topic) and says which when given another. Resolved, a target is always the object form.
 */
import { z } from 'zod';
import { nameSchema, type Resource } from './define.ts';
import { oneOf, type Shape } from './shapes.ts';

export type TargetKind = 'queue' | 'fn' | 'topic';

/** A target by name: `{ queue: 'orders' }`, `{ fn: 'ingest' }` or `{ topic: 'alerts' }`. */
export type TargetRef<K extends TargetKind = TargetKind> = K extends TargetKind ? { [P in K]: string } : never;

/** Where an event goes: a target by name, or the declared queue(), fn() or topic() itself. */
export type Target<K extends TargetKind = TargetKind> = TargetRef<K> | Resource<K>;

const noun: Record<TargetKind, string> = { queue: 'a queue', fn: 'a function', topic: 'a topic' };

function isResource(v: Record<string, unknown>): boolean {
  return typeof v.kind === 'string' && typeof v.name === 'string' && 'config' in v;
}

/** The shapes of a target of these kinds: each by name, and the declared resource of each. */
export function targetShapes<K extends TargetKind>(kinds: readonly K[]): Shape[] {
  const byName = kinds.map((k) => ({ what: noun[k], key: k, schema: z.strictObject({ [k]: nameSchema }), written: `{ ${k}: '<name>' }` }));
  const handle: Shape = {
    what: `the ${kinds.map((k) => `${k}()`).join('/')} declaration itself`,
    key: 'kind',
    match: isResource,
    written: '',
    schema: z
      .looseObject({ kind: z.string(), name: z.string() })
      .check((ctx) => {
        if (!(kinds as readonly string[]).includes(ctx.value.kind)) {
          ctx.issues.push({ code: 'custom', input: ctx.value, path: [], message: `a ${ctx.value.kind} "${ctx.value.name}" cannot be a target here; expected ${kinds.map((k) => noun[k]).join(' or ')}` });
        }
      })
      .transform((r) => ({ [r.kind]: r.name })),
  };
  return [...byName, handle];
}

/** A target field taking these kinds, resolved to `{ <kind>: name }`. */
export function targetField<K extends TargetKind>(kinds: readonly [K, ...K[]], what = 'a target'): z.ZodType<TargetRef<K>, Target<K>> {
  const bare = `a name alone does not say what it names: write ${kinds.map((k) => `{ ${k}: '<value>' }`).join(' or ')}`;
  return oneOf(what, targetShapes(kinds) as [Shape, ...Shape[]], { '(string)': bare }) as unknown as z.ZodType<TargetRef<K>, Target<K>>;
}
