/**
 * Baton's internal table of leases and the engine registry, through the table port:
 * 'baton-leases' (partition key `name`, string; no stream; `<prefix>baton-leases` on aws, hidden
 * from the app's table list there as Baton's other tables are). It is declared on first use by
 * each process (declare is idempotent on both backends), so an engine, `baton jobs resume` and a
 * handler's connect() all find it without provisioning.
 *
 * A lease is one item { name, holder, token, expiresAt, host?, pid?, version }, changed only by a
 * conditional put on `version` (absent: notExists), which is atomic on both backends (SQLite
 * transaction; DynamoDB ConditionExpression): of two writers racing from one version exactly one
 * wins, and the other gets ConditionFailedError before anything is written.
 */
import { ConditionFailedError } from '../../core/errors.ts';
import type { TableConfig, TableStore } from '../../ports/tables.ts';
import type { Versioned } from '../triggers/durable-state.ts';

export const leaseTable = 'baton-leases';
export const leaseTableConfig: TableConfig = { name: leaseTable, partitionKey: { name: 'name', type: 'string' } };

const declared = new WeakMap<TableStore, Promise<void>>();

/** Declares the lease table once per table store (again after a failure). */
export function declareLeaseTable(tables: TableStore): Promise<void> {
  let p = declared.get(tables);
  if (!p) {
    p = tables.declare(leaseTableConfig);
    declared.set(tables, p);
    p.catch(() => declared.delete(tables));
  }
  return p;
}

/** One item of the lease table, JSON attributes besides its name and version, changed by compare-and-set on `version`. */
export class VersionedItem<T extends object> {
  constructor(
    private readonly tables: TableStore,
    readonly name: string,
  ) {}

  async load(): Promise<Versioned<T> | undefined> {
    await declareLeaseTable(this.tables);
    const item = await this.tables.get(leaseTable, { name: this.name });
    if (!item) return undefined;
    const { name: _name, version, ...value } = item;
    return { value: value as T, version: Number(version) };
  }

  /** Writes `next` if the item is still at `current.version` (0: absent); false when another writer changed it first. */
  async replace(current: Versioned<T>, next: T): Promise<Versioned<T> | false> {
    await declareLeaseTable(this.tables);
    const version = current.version + 1;
    const condition = current.version === 0 ? { notExists: true } : { equals: { version: current.version } };
    try {
      await this.tables.put(leaseTable, { ...(next as Record<string, unknown>), name: this.name, version }, { condition });
      return { value: next, version };
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** Deletes the item if it is still at `current.version`; false when another writer changed it first. */
  async delete(current: Versioned<T>): Promise<boolean> {
    await declareLeaseTable(this.tables);
    try {
      await this.tables.delete(leaseTable, { name: this.name }, { condition: { equals: { version: current.version } } });
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }
}
