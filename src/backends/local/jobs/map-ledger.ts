/**
 * The local map ledger (ports/jobs.ts MapLedger) in the shared SQLite file. Every batch operation
 * is one transaction over prepared statements: adding 1,000 items, taking a batch to dispatch, or
 * completing every item that finished in one tick of the coordinator.
 */
import { pageRows } from './page.ts';
import type { SerializedError } from '../../../core/errors.ts';
import { NotFoundError } from '../../../core/errors.ts';
import type { ListPage, MapCompletion, MapCounts, MapItem, MapItemRow, MapItemStatus, MapLedger, MapRecord, MapStatus } from '../../../ports/jobs.ts';
import type { Transaction } from 'better-sqlite3';
import type { LocalContext } from '../context.ts';
import { boundLimit } from '../db.ts';

interface MapRow {
  id: string;
  fn: string;
  status: string;
  loaded: number;
  source_done: number;
  options: string;
  error: string | null;
  manifest: string | null;
  created_at: number;
  updated_at: number;
}

interface ItemRow {
  idx: number;
  item: string;
  attempts: number;
  status: string;
  result: string | null;
  error: string | null;
}

function toMap(r: MapRow): MapRecord {
  return {
    id: r.id,
    fn: r.fn,
    status: r.status as MapStatus,
    loaded: r.loaded,
    sourceDone: r.source_done === 1,
    options: JSON.parse(r.options) as unknown,
    ...(r.error !== null ? { error: JSON.parse(r.error) as SerializedError } : {}),
    ...(r.manifest !== null ? { manifest: JSON.parse(r.manifest) as { bucket: string; key: string } } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class LocalMapLedger implements MapLedger {
  private readonly q;
  private readonly addTx: Transaction<(id: string, from: number, items: readonly string[], done: boolean) => void>;
  private readonly takeTx: Transaction<(id: string, limit: number) => MapItem[]>;
  private readonly completeTx: Transaction<(id: string, cs: readonly MapCompletion[]) => void>;

  constructor(private readonly ctx: LocalContext) {
    const db = ctx.db;
    this.q = {
      insertMap: db.prepare(`INSERT OR IGNORE INTO maps (id, fn, status, options, created_at, updated_at) VALUES (?, ?, 'loading', ?, ?, ?)`),
      get: db.prepare<[string], MapRow>(`SELECT * FROM maps WHERE id = ?`),
      list: db.prepare<[number], MapRow>(`SELECT * FROM maps ORDER BY created_at DESC, id ${boundLimit}`),
      addItem: db.prepare(`INSERT OR IGNORE INTO map_items (map_id, idx, status, item) VALUES (?, ?, 'pending', ?)`),
      loaded: db.prepare(`UPDATE maps SET loaded = max(loaded, ?), source_done = ?, updated_at = ? WHERE id = ?`),
      recover: db.prepare(`UPDATE map_items SET status = 'pending' WHERE map_id = ? AND status = 'running'`),
      pending: db.prepare<[string, number], { idx: number; item: string; attempts: number }>(`SELECT idx, item, attempts FROM map_items WHERE map_id = ? AND status = 'pending' ORDER BY idx ${boundLimit}`),
      markRunning: db.prepare(`UPDATE map_items SET status = 'running' WHERE map_id = ? AND idx = ?`),
      complete: db.prepare(`UPDATE map_items SET status = ?, attempts = ?, result = ?, error = ? WHERE map_id = ? AND idx = ?`),
      counts: db.prepare<[string], { status: string; n: number }>(`SELECT status, count(*) AS n FROM map_items WHERE map_id = ? GROUP BY status`),
      items: db.prepare<[string, string, number, number], ItemRow>(`SELECT idx, item, attempts, status, result, error FROM map_items WHERE map_id = ? AND status = ? AND idx > ? ORDER BY idx ${boundLimit}`),
      redrive: db.prepare(`UPDATE map_items SET status = 'pending', attempts = 0, error = NULL WHERE map_id = ? AND status = 'failed'`),
    };
    this.addTx = db.transaction((id: string, from: number, items: readonly string[], done: boolean) => {
      items.forEach((json, i) => this.q.addItem.run(id, from + i, json));
      this.q.loaded.run(from + items.length, done ? 1 : 0, this.ctx.clock.now(), id);
    });
    this.takeTx = db.transaction((id: string, limit: number) => {
      const rows = this.q.pending.all(id, limit);
      for (const r of rows) this.q.markRunning.run(id, r.idx);
      return rows.map((r) => ({ index: r.idx, item: JSON.parse(r.item) as unknown, attempts: r.attempts }));
    });
    this.completeTx = db.transaction((id: string, cs: readonly MapCompletion[]) => {
      for (const c of cs) this.q.complete.run(c.status, c.attempts, c.resultJson ?? null, c.error ? JSON.stringify(c.error) : null, id, c.index);
    });
  }

  async open(input: { id: string; fn: string; options: unknown }): Promise<MapRecord> {
    const now = this.ctx.clock.now();
    this.q.insertMap.run(input.id, input.fn, JSON.stringify(input.options ?? null), now, now);
    return this.mustGet(input.id);
  }

  async get(id: string): Promise<MapRecord | undefined> {
    const r = this.q.get.get(id);
    return r ? toMap(r) : undefined;
  }

  async list(limit = 50): Promise<MapRecord[]> {
    return this.q.list.all(limit).map(toMap);
  }

  async page(options: { limit?: number; cursor?: string } = {}): Promise<ListPage<MapRecord>> {
    return pageRows<MapRow, MapRecord>(this.ctx.db, 'maps', options, toMap);
  }

  async addItems(id: string, from: number, itemsJson: readonly string[], sourceDone: boolean): Promise<void> {
    this.addTx.immediate(id, from, itemsJson, sourceDone);
  }

  async recover(id: string): Promise<number> {
    return this.q.recover.run(id).changes;
  }

  async take(id: string, limit: number): Promise<MapItem[]> {
    return this.takeTx.immediate(id, limit);
  }

  async complete(id: string, completions: readonly MapCompletion[]): Promise<void> {
    if (completions.length) this.completeTx.immediate(id, completions);
  }

  async counts(id: string): Promise<MapCounts> {
    const c: MapCounts = { total: 0, pending: 0, running: 0, succeeded: 0, failed: 0 };
    for (const r of this.q.counts.all(id)) {
      c[r.status as MapItemStatus] = r.n;
      c.total += r.n;
    }
    return c;
  }

  async items(id: string, status: MapItemStatus, afterIndex: number, limit: number): Promise<MapItemRow[]> {
    return this.q.items.all(id, status, afterIndex, limit).map((r) => ({
      index: r.idx,
      item: JSON.parse(r.item) as unknown,
      attempts: r.attempts,
      status: r.status as MapItemStatus,
      ...(r.result !== null ? { result: JSON.parse(r.result) as unknown } : {}),
      ...(r.error !== null ? { error: JSON.parse(r.error) as SerializedError } : {}),
    }));
  }

  async setStatus(id: string, status: MapStatus, extra: { error?: SerializedError; manifest?: { bucket: string; key: string } } = {}): Promise<MapRecord> {
    this.ctx.db
      .prepare(`UPDATE maps SET status = ?, error = ?, manifest = coalesce(?, manifest), updated_at = ? WHERE id = ?`)
      .run(status, extra.error ? JSON.stringify(extra.error) : null, extra.manifest ? JSON.stringify(extra.manifest) : null, this.ctx.clock.now(), id);
    return this.mustGet(id);
  }

  async redrive(id: string): Promise<number> {
    return this.q.redrive.run(id).changes;
  }

  private mustGet(id: string): MapRecord {
    const r = this.q.get.get(id);
    if (!r) throw new NotFoundError(`map "${id}" does not exist.`, { action: 'List maps with `baton jobs`.' });
    return toMap(r);
  }
}
