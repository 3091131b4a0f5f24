// The floor of `npm run bench -- csv-pipeline` (issue 15): only the SQLite writes the pipeline's
// table cannot do without, done plainly through better-sqlite3 on the local tables schema and
// storage settings (WAL, synchronous NORMAL, 4 KiB pages: db.ts setStorage), 400 rows to a
// transaction: each 16-field row written with `INSERT ... ON CONFLICT DO UPDATE` and its INSERT
// stream record, then each written again, updated, with its MODIFY record. The JSON of every write
// is built with JSON.stringify inside the timed part; the stream's sequence comes from a counter in
// memory. Not timed: splitting the CSV into rows (the pipeline's cleaning is not a table write).
// No cleaning, no checks, no reads back, no queues, no workers: what any pipeline on this store
// spends at least.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { splitLine } from '../src/data/csv/stage.ts';
import { setStorage } from '../src/backends/local/db.ts';
import { schema } from '../src/backends/local/tables/schema.ts';

/** The rows of the CSV with as many fields as the header (what a pipeline would write). */
function rowsOf(csv: string): Array<Record<string, string | number>> {
  const lines = csv.split('\n');
  const header = splitLine(lines[0]!, ',', '"');
  const rows: Array<Record<string, string | number>> = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const fields = splitLine(lines[i]!, ',', '"');
    // Malformed rows (another field count) and poison rows (an id longer than a key may be) are refused before any write.
    if (fields.length !== header.length || Buffer.byteLength(fields[0]!) > 2048) continue;
    const row: Record<string, string | number> = {};
    for (let f = 0; f < header.length; f++) row[header[f]!] = header[f] === 'amount' ? Number(fields[f]) : fields[f]!;
    rows.push(row);
  }
  return rows;
}

export interface FloorResult {
  seconds: number;
  rows: number;
}

export function sqliteFloor(dir: string, csv: string): FloorResult {
  const rows = rowsOf(csv);
  const db = new Database(join(dir, 'floor.db'));
  setStorage(db);
  db.exec(schema);
  const upsert = db.prepare<[string, string]>("INSERT INTO table_items (tid, pk, sk, item) VALUES (1, ?, '', ?) ON CONFLICT (tid, pk, sk) DO UPDATE SET item = excluded.item");
  const record = db.prepare<[number, string, string, string, number]>('INSERT INTO table_stream (tid, seq, event, keys, new_image, created_at) VALUES (1, ?, ?, ?, ?, ?)');
  let seq = 0;
  const write = (event: 'INSERT' | 'MODIFY', item: Record<string, unknown>) => {
    const id = item.transaction_id as string;
    const json = JSON.stringify(item);
    upsert.run(id, json);
    record.run(++seq, event, JSON.stringify({ transaction_id: id }), json, Date.now());
  };
  const put = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) write('INSERT', { ...rows[i]!, stage: 'loaded' });
  });
  const update = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) write('MODIFY', { ...rows[i]!, amount_usd: 1, fee: 0.01, risk: 'low', stage: 'processed', updates: 1 });
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 400) put.immediate(i, Math.min(i + 400, rows.length));
  for (let i = 0; i < rows.length; i += 400) update.immediate(i, Math.min(i + 400, rows.length));
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return { seconds, rows: rows.length };
}
