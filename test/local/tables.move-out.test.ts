/**
 * A state directory made before the tables had a file of their own (tables in state.db): opening
 * it moves every table, item, stream record and consumer position into tables.db, empties them in
 * state.db, and a second open moves nothing again.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocal } from '../../src/backends/local/index.ts';
import { LocalTableStore } from '../../src/backends/local/tables/store.ts';
import { schema as tablesSchema } from '../../src/backends/local/tables/schema.ts';
import { systemClock } from '../../src/backends/local/clock.ts';
import { openDb } from '../../src/backends/local/db.ts';
import { EventEmitter } from 'node:events';

describe('local tables: moved out of an older state.db', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-tables-move-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An older layout: the tables in state.db, written through the store as an older Baton did. */
  async function oldState(): Promise<void> {
    const db = openDb(dir, [tablesSchema]);
    const tables = new LocalTableStore({ db, clock: systemClock, dir, signals: new EventEmitter() });
    await tables.declare({ name: 'orders', partitionKey: { name: 'id', type: 'string' }, stream: { viewType: 'NEW_IMAGE' } });
    for (let i = 0; i < 5; i++) await tables.put('orders', { id: `o${i}`, n: i });
    await tables.update('orders', { id: 'o1' }, { set: { n: 10 } });
    const read = await tables.readStream('orders', 'fn:x', { limit: 3 });
    await tables.commitStream('orders', 'fn:x', read.at(-1)!.sequence);
    db.close();
  }

  it('moves tables, items, stream records and positions into tables.db and empties them in state.db', async () => {
    await oldState();
    const b = openLocal({ dir, paramsKey: Buffer.alloc(32, 1) });
    try {
      expect((await b.tables.list()).map((t) => t.name)).toEqual(['orders']);
      expect(await b.tables.get('orders', { id: 'o1' })).toEqual({ id: 'o1', n: 10 });
      // The consumer resumes after its committed position: records 4..6 (o3, o4 put, o1 updated).
      const rest = await b.tables.readStream('orders', 'fn:x');
      expect(rest.map((r) => [r.sequence, r.eventName, r.keys.id])).toEqual([
        [4, 'INSERT', 'o3'],
        [5, 'INSERT', 'o4'],
        [6, 'MODIFY', 'o1'],
      ]);
      // New writes go on from the moved sequence.
      await b.tables.put('orders', { id: 'o9', n: 9 });
      expect((await b.tables.readStream('orders', 'fn:x', { after: 6 })).map((r) => r.sequence)).toEqual([7]);
    } finally {
      await b.close();
    }
    const state = new Database(join(dir, 'state.db'), { readonly: true });
    try {
      for (const t of ['table_configs', 'table_items', 'table_stream', 'table_stream_consumers']) expect([t, state.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]).toEqual([t, 0]);
    } finally {
      state.close();
    }
    // Opened again: nothing to move, everything still there.
    const again = openLocal({ dir, paramsKey: Buffer.alloc(32, 1) });
    try {
      expect((await again.tables.scan('orders')).items).toHaveLength(6);
    } finally {
      await again.close();
    }
  });

  it('a new state directory keeps no tables in state.db', async () => {
    const b = openLocal({ dir, paramsKey: Buffer.alloc(32, 1) });
    await b.tables.declare({ name: 't', partitionKey: { name: 'id', type: 'string' } });
    await b.tables.put('t', { id: 'a' });
    const inState = b.context.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'table_items'").pluck().get();
    const rows = b.tablesContext.db.prepare('SELECT count(*) FROM table_items').pluck().get();
    await b.close();
    expect([inState, rows]).toEqual([0, 1]);
  });
});
