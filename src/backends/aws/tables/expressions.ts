/**
 * Baton's structured conditions and updates as DynamoDB expressions, every attribute name and
 * value through a placeholder (#n0, :v0), so any attribute name works, reserved words included.
 *
 *   notExists / exists: false  attribute_not_exists(#pk)
 *   exists / notExists: false  attribute_exists(#pk)
 *   equals { a: v }            #a = :v      (undefined: attribute_not_exists(#a))
 *   set { a: v }               SET #a = :v
 *   add { a: n }               ADD #a :n    (a missing attribute counts as 0, as on local)
 *   remove [a]                 REMOVE #a
 *
 * An add also guards its attribute's type in the condition (absent or a number), so adding to a
 * string fails as a condition, is diagnosed from the returned item, and is worded as on local.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Condition, UpdateInput } from '../../../ports/tables.ts';
import type { TableShape } from '../../shared/tables/shape.ts';
import { toValue } from './codec.ts';

export class Placeholders {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private readonly byName = new Map<string, string>();
  private v = 0;

  name(attr: string): string {
    let p = this.byName.get(attr);
    if (!p) {
      p = `#n${this.byName.size}`;
      this.byName.set(attr, p);
      this.names[p] = attr;
    }
    return p;
  }

  value(value: unknown): string {
    const p = `:v${this.v++}`;
    this.values[p] = toValue(value);
    return p;
  }

  /** The placeholders as request fields (absent when none were used: DynamoDB refuses empty maps). */
  fields(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
    return {
      ...(this.byName.size ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.v ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** The clauses of a condition (ANDed), or none. */
export function conditionClauses(t: TableShape, condition: Condition | undefined, p: Placeholders): string[] {
  if (!condition) return [];
  const clauses: string[] = [];
  const pk = () => p.name(t.partitionKey.name);
  if (condition.notExists === true || condition.exists === false) clauses.push(`attribute_not_exists(${pk()})`);
  if (condition.exists === true || condition.notExists === false) clauses.push(`attribute_exists(${pk()})`);
  for (const [attr, expected] of Object.entries(condition.equals ?? {})) {
    clauses.push(expected === undefined ? `attribute_not_exists(${p.name(attr)})` : `${p.name(attr)} = ${p.value(expected)}`);
  }
  return clauses;
}

/** The guard that makes an add to a non-number fail as a condition (see the top of the file). */
export function addGuards(input: UpdateInput, p: Placeholders): string[] {
  const entries = Object.keys(input.add ?? {});
  if (entries.length === 0) return [];
  const n = p.value('N');
  return entries.map((attr) => `(attribute_not_exists(${p.name(attr)}) OR attribute_type(${p.name(attr)}, ${n}))`);
}

export function joinConditions(clauses: string[]): string | undefined {
  return clauses.length ? clauses.join(' AND ') : undefined;
}

/**
 * An update that changes nothing still creates an absent item (as UpdateItem does), but DynamoDB
 * wants an expression: it removes an attribute no item has.
 */
const nothing = 'baton:nothing';

/** The UpdateExpression. */
export function updateExpression(input: UpdateInput, p: Placeholders): string {
  const parts: string[] = [];
  const set = Object.entries(input.set ?? {}).filter(([, v]) => v !== undefined);
  if (set.length) parts.push(`SET ${set.map(([a, v]) => `${p.name(a)} = ${p.value(v)}`).join(', ')}`);
  const add = Object.entries(input.add ?? {});
  if (add.length) parts.push(`ADD ${add.map(([a, n]) => `${p.name(a)} ${p.value(n)}`).join(', ')}`);
  if (input.remove?.length) parts.push(`REMOVE ${input.remove.map((a) => p.name(a)).join(', ')}`);
  return parts.length ? parts.join(' ') : `REMOVE ${p.name(nothing)}`;
}
