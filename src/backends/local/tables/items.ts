/**
 * Single-item writes (put, update, delete): `put`, `update` and `delete` each run as their own
 * IMMEDIATE transaction; `putIn`, `updateIn` and `deleteIn` run inside the caller's (a batch's).
 * Each checks everything that can fail it (condition, update, size) before its first write, so a
 * request that fails inside a batch has written nothing and needs no SAVEPOINT. The stream record
 * of a change is appended in the same transaction as the change.
 */
import { BatonError } from '../../../core/errors.ts';
import type { Condition, Item, UpdateInput } from '../../../ports/tables.ts';
import type { Db } from '../db.ts';
import type { TableEntry } from './catalog.ts';
import { checkCondition } from '../../shared/tables/conditions.ts';
import { deepEqual, encodeItem } from '../../shared/tables/json.ts';
import { keyObject, type KeyValues } from '../../shared/tables/keys.ts';
import type { StreamLog } from './stream.ts';
import { applyUpdate } from '../../shared/tables/update.ts';

/** An update worked out before its transaction (ItemWriter.ahead). */
export interface Ahead {
  old: string;
  json: string;
}

type Transaction<A extends unknown[], R> = ((...args: A) => R) & { immediate: (...args: A) => R };

export class ItemWriter {
  readonly get;
  private readonly upsert;
  private readonly replace;
  private readonly replaceIf;
  private readonly remove;
  readonly putIn = this.putItem.bind(this);
  /** Reads ahead for updates (`ahead`), all in one read transaction (one snapshot, no write lock). */
  readonly readAhead: (work: () => void) => void;
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
    // An update worked out ahead: written only if the item is still the text it was worked out on.
    this.replaceIf = db.prepare<[string, number, string | number, string | number, string]>('UPDATE table_items SET item = ? WHERE tid = ? AND pk = ? AND sk = ? AND item = ?');
    this.remove = db.prepare<[number, string | number, string | number]>('DELETE FROM table_items WHERE tid = ? AND pk = ? AND sk = ?');
    this.readAhead = db.transaction((work: () => void) => work()).deferred;
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

  /**
   * An update worked out ahead, outside any write transaction, on the item as read then: the stored
   * text and the text after the update. undefined when there is no item, the update changes nothing
   * or would fail on it (updateIn then does it all, and fails it, inside the transaction). It is
   * written only if the item is still byte for byte that text in the transaction (one conditional
   * UPDATE): the outcome is a function of that text and the input alone, so the write lock is not
   * held while the item is read, parsed, updated and encoded (issue 15: the csv-pipeline's update
   * step held the tables file's one writer for that).
   */
  ahead(t: TableEntry, kv: KeyValues, input: UpdateInput): Ahead | undefined {
    const old = this.get.get(t.id, kv.pk, kv.sk);
    if (old === undefined) return undefined;
    try {
      const json = this.updated(t, kv, input, old);
      return json === old ? undefined : { old, json };
    } catch (err) {
      if (err instanceof BatonError) return undefined;
      throw err;
    }
  }

  /** Returns the item's JSON as it is after the update (worked out `ahead` when the item did not change since). */
  private updateItem(t: TableEntry, kv: KeyValues, input: UpdateInput, ahead?: Ahead): string {
    if (ahead !== undefined && this.replaceIf.run(ahead.json, t.id, kv.pk, kv.sk, ahead.old).changes === 1) {
      this.record(t, kv, ahead.old, ahead.json);
      return ahead.json;
    }
    const old = this.get.get(t.id, kv.pk, kv.sk);
    const json = this.updated(t, kv, input, old);
    if (old === json) return json;
    this.write(t, kv, old, json);
    this.record(t, kv, old, json);
    return json;
  }

  /**
   * The item's JSON after `input`, worked out on `old` (the stored text; undefined when there is no
   * item) for `ahead` and `updateItem` alike. Writes nothing; a failed condition, a refused update or
   * a too-large item throws a BatonError.
   */
  private updated(t: TableEntry, kv: KeyValues, input: UpdateInput, old: string | undefined): string {
    const current = old === undefined ? undefined : (JSON.parse(old) as Item);
    if (input.condition) checkCondition(t, kv, input.condition, old, current);
    return encodeItem(t, kv, applyUpdate(t, kv, current, input, true)); // current was parsed for this update alone
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
