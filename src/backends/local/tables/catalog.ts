/**
 * The declared tables: kept in SQLite (so every process sees them) and cached in memory (so an
 * item operation costs no config read). A table declared by another process is found on the first
 * use here; a later change of its stream view type made by another process is seen after reopen.
 */
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import type { StreamViewType, TableConfig } from '../../../ports/tables.ts';
import type { Db } from '../db.ts';
import { describeKeys, sameKeys, validateConfig } from '../../shared/tables/config.ts';

/** A declared table as the store works with it. */
export interface TableEntry {
  readonly id: number;
  readonly name: string;
  readonly config: TableConfig;
  readonly partitionKey: TableConfig['partitionKey'];
  readonly sortKey: TableConfig['sortKey'];
  /** Absent: the table has no stream. */
  readonly viewType: StreamViewType | undefined;
}

interface ConfigRow {
  id: number;
  name: string;
  config: string;
}

function entry(row: ConfigRow): TableEntry {
  const config = JSON.parse(row.config) as TableConfig;
  return { id: row.id, name: row.name, config, partitionKey: config.partitionKey, sortKey: config.sortKey, viewType: config.stream?.viewType };
}

export class TableCatalog {
  private readonly cache = new Map<string, TableEntry>();
  private readonly byName;
  private readonly all;
  private readonly insert;
  private readonly change;
  private readonly hasItems;
  private readonly upsert: (config: TableConfig) => TableEntry;

  constructor(db: Db) {
    this.byName = db.prepare<[string], ConfigRow>('SELECT id, name, config FROM table_configs WHERE name = ?');
    this.all = db.prepare<[], ConfigRow>('SELECT id, name, config FROM table_configs ORDER BY name');
    this.insert = db.prepare<[string, string]>('INSERT INTO table_configs (name, config) VALUES (?, ?)');
    this.change = db.prepare<[string, number]>('UPDATE table_configs SET config = ? WHERE id = ?');
    this.hasItems = db.prepare<[number], number>('SELECT 1 FROM table_items WHERE tid = ? LIMIT 1').pluck();
    this.upsert = db.transaction((config: TableConfig) => this.upsertInTransaction(config)).immediate;
  }

  /** Creates the table or updates its stream; its keys can change only while it holds no items. */
  declare(config: TableConfig): void {
    const clean = validateConfig(config);
    this.cache.set(clean.name, this.upsert(clean));
  }

  list(): TableConfig[] {
    return this.all.all().map((row) => entry(row).config);
  }

  /** The table, or a NotFoundError saying how to declare it. */
  get(name: string): TableEntry {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const row = typeof name === 'string' ? this.byName.get(name) : undefined;
    if (!row) {
      throw new NotFoundError(`Table ${JSON.stringify(name)} is not declared.`, {
        action: `Declare it in baton.config.ts (table(${JSON.stringify(name)}, { partitionKey: ... })) so it is provisioned, or call tables.declare first.`,
      });
    }
    const found = entry(row);
    this.cache.set(name, found);
    return found;
  }

  private upsertInTransaction(config: TableConfig): TableEntry {
    const json = JSON.stringify(config);
    const row = this.byName.get(config.name);
    if (!row) {
      const id = Number(this.insert.run(config.name, json).lastInsertRowid);
      return entry({ id, name: config.name, config: json });
    }
    const existing = entry(row);
    if (!sameKeys(existing.config, config) && this.hasItems.get(existing.id) !== undefined) {
      throw new ValidationError(
        `Table "${config.name}" already holds items with ${describeKeys(existing.config)}; it cannot change to ${describeKeys(config)}.`,
        { action: 'Keep the original keys, or declare a table with a new name and copy the items over.' },
      );
    }
    this.change.run(json, existing.id);
    return entry({ id: existing.id, name: config.name, config: json });
  }
}
