/**
 * Single-item writes (put, update, delete): `put`, `update` and `delete` each run as their own
 * IMMEDIATE transaction; `putIn`, `updateIn` and `deleteIn` run inside the caller's (a batch's).
 * Each checks everything that can fail it (condition, update, size) before its first write, so a
 * request that fails inside a batch has written nothing and needs no SAVEPOINT. The stream record
 * of a change is appended in the same transaction as the change.
 */
import type { Condition, Item, UpdateInput } from '../../../ports/tables.ts';
import type { Db } from '../db.ts';
import type { TableEntry } from './catalog.ts';
import { checkCondition } from '../../shared/tables/conditions.ts';
import { deepEqual, encodeItem } from '../../shared/tables/json.ts';
import { keyObject, type KeyValues } from '../../shared/tables/keys.ts';
import type { StreamLog } from './stream.ts';
import { applyUpdate } from '../../shared/tables/update.ts';

type Transaction<A extends unknown[], R> = ((...args: A) => R) & { immediate: (...args: A) => R };

export class ItemWriter {
  readonly get;
  private readonly upsert;
  private readonly replace;
  private readonly remove;
  readonly putIn = this.putItem.bind(this);
  readonly updateIn = this.updateItem.bind(this);
  readonly deleteIn = this.deleteItem.bind(this);
  readonly put: Transaction<[t: TableEntry, kv: KeyValues, json: string, condition: Condition | undefined], string | undefined>;
  readonly update: Transaction<[t: TableEntry, kv: KeyValues, input: UpdateInput], string>;
  readonly delete: Transaction<[t: TableEntry, kv: KeyValues, condition: Condition | undefined], string | undefined>;

  constructor(
    db: Db,
    private readonly stream: StreamLog,
  ) {
    this.get = db.prepare<[number, string | number, string | number], string>('SELECT item FROM table_items WHERE tid = ? AND pk = ? AND sk = ?').pluck();
    this.upsert = db.prepare<[number, string | number, string | number, string]>(
      'INSERT INTO table_items (tid, pk, sk, item) VALUES (?, ?, ?, ?) ON CONFLICT (tid, pk, sk) DO UPDATE SET item = excluded.item',
    );
    // When the item is known to exist (read in the same transaction): no insert attempted first.
    this.replace = db.prepare<[string, number, string | number, string | number]>('UPDATE table_items SET item = ? WHERE tid = ? AND pk = ? AND sk = ?');
    this.remove = db.prepare<[number, string | number, string | number]>('DELETE FROM table_items WHERE tid = ? AND pk = ? AND sk = ?');
    this.put = db.transaction(this.putIn);
    this.update = db.transaction(this.updateIn);
    this.delete = db.transaction(this.deleteIn);
  }

  /** Returns the old item's JSON, if there was one. */
  private putItem(t: TableEntry, kv: KeyValues, json: string, condition: Condition | undefined): string | undefined {
    const old = this.get.get(t.id, kv.pk, kv.sk);
    if (condition) checkCondition(t, kv, condition, old);
    if (old === json) return old; // byte for byte the same: nothing to write, nothing to stream
    this.write(t, kv, old, json);
    this.record(t, kv, old, json);
    return old;
  }

  /** Returns the item's JSON as it is after the update. */
  private updateItem(t: TableEntry, kv: KeyValues, input: UpdateInput): string {
    const old = this.get.get(t.id, kv.pk, kv.sk);
    const current = old === undefined ? undefined : (JSON.parse(old) as Item);
    if (input.condition) checkCondition(t, kv, input.condition, old, current);
    const json = encodeItem(t, kv, applyUpdate(t, kv, current, input, true)); // current was parsed for this update alone
    if (old === json) return json;
    this.write(t, kv, old, json);
    this.record(t, kv, old, json);
    return json;
  }

  /** Returns the deleted item's JSON, if there was one. */
  private deleteItem(t: TableEntry, kv: KeyValues, condition: Condition | undefined): string | undefined {
    const old = this.get.get(t.id, kv.pk, kv.sk);
    if (condition) checkCondition(t, kv, condition, old);
    if (old === undefined) return undefined;
    this.remove.run(t.id, kv.pk, kv.sk);
    if (t.viewType) this.stream.append(t, 'REMOVE', JSON.stringify(keyObject(t, kv)), old, undefined);
    return old;
  }

  private write(t: TableEntry, kv: KeyValues, old: string | undefined, json: string): void {
    if (old === undefined) this.upsert.run(t.id, kv.pk, kv.sk, json);
    else this.replace.run(json, t.id, kv.pk, kv.sk);
  }

  /** Appends INSERT or MODIFY, unless the new item equals the old one (attribute order aside). */
  private record(t: TableEntry, kv: KeyValues, old: string | undefined, json: string): void {
    if (!t.viewType) return;
    // Equal items have JSON of equal length (only attribute order can differ), so most changes skip the parse.
    if (old !== undefined && old.length === json.length && deepEqual(JSON.parse(old), JSON.parse(json))) return;
    this.stream.append(t, old === undefined ? 'INSERT' : 'MODIFY', JSON.stringify(keyObject(t, kv)), old, json);
  }
}
