/**
 * The tables store has a SQLite file of its own, tables.db, beside state.db (index.ts): no
 * transaction spans a table and another store, and two files are two writers, so a worker's group
 * commit of 4,000 rows no longer holds up the engine's receives, deletes and run records (issue 15).
 *
 * A state directory made before kept its tables in state.db. `moveTablesOut` copies them into
 * tables.db and then empties them in state.db. It runs at every open and does nothing once state.db
 * has no table rows left. The copy is INSERT OR IGNORE, committed in tables.db before state.db is
 * emptied (two files commit separately in WAL mode): a crash between the two leaves both copies,
 * and the next open copies nothing new and empties state.db; no row is ever in neither file.
 */
import type { Db } from '../db.ts';

const moved = ['table_configs', 'table_items', 'table_stream', 'table_stream_consumers'] as const;

export function moveTablesOut(state: Db, tablesFile: string): void {
  const has = (table: string): boolean => {
    const exists = state.prepare<[string], number>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) === 1;
    return exists && state.prepare(`SELECT EXISTS (SELECT 1 FROM ${table})`).pluck().get() === 1;
  };
  const present = moved.filter(has);
  if (present.length === 0) return;
  state.prepare('ATTACH DATABASE ? AS moving').run(tablesFile);
  try {
    // Written through state.db's connection: the copy commits in tables.db (the only file it writes), then the emptying in state.db.
    state.transaction(() => {
      for (const t of present) state.exec(`INSERT OR IGNORE INTO moving.${t} SELECT * FROM main.${t}`);
    }).immediate();
    state.transaction(() => {
      for (const t of present) state.exec(`DELETE FROM main.${t}`);
    }).immediate();
  } finally {
    state.exec('DETACH DATABASE moving');
  }
}
