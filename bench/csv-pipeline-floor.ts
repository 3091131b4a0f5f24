// The floor of `npm run bench -- csv-pipeline`: only the SQLite writes the pipeline's table cannot
// do without, through plain better-sqlite3 on the local tables schema and pragmas, in transactions
// of 400 rows: each row put with its INSERT stream record, then updated with its MODIFY record.
// No cleaning, no checks, no queues, no workers: what any pipeline on this store spends at least.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { splitLine } from '../src/data/csv/stage.ts';
import { setStorage } from '../src/backends/local/db.ts';
import { schema } from '../src/backends/local/tables/schema.ts';

export function sqliteFloor(dir: string, csv: string): number {
  const db = new Database(join(dir, 'floor.db'));
  setStorage(db);
  db.exec(schema);
  const get = db.prepare<[string], string>("SELECT item FROM table_items WHERE tid = 1 AND pk = ? AND sk = ''").pluck();
  const upsert = db.prepare<[string, string]>("INSERT INTO table_items (tid, pk, sk, item) VALUES (1, ?, '', ?) ON CONFLICT (tid, pk, sk) DO UPDATE SET item = excluded.item");
  const record = db.prepare<[string, string, string, number]>(
    'INSERT INTO table_stream (tid, seq, event, keys, new_image, created_at) VALUES (1, coalesce((SELECT max(seq) FROM table_stream WHERE tid = 1), 0) + 1, ?, ?, ?, ?)',
  );
  const lines = csv.split('\n');
  const header = splitLine(lines[0]!, ',', '"');
  const ids: string[] = [];
  const put = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const fields = splitLine(lines[i]!, ',', '"');
      const item: Record<string, string> = {};
      header.forEach((h, f) => (item[h] = fields[f] ?? ''));
      const id = item.transaction_id!;
      if (get.get(id) !== undefined) continue;
      const json = JSON.stringify({ ...item, stage: 'loaded' });
      upsert.run(id, json);
      record.run('INSERT', JSON.stringify({ transaction_id: id }), json, Date.now());
      ids.push(id);
    }
  });
  const update = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      const item = JSON.parse(get.get(id)!) as Record<string, unknown>;
      const json = JSON.stringify({ ...item, amount_usd: 1, fee: 0.01, risk: 'low', stage: 'processed', updates: 1 });
      upsert.run(id, json);
      record.run('MODIFY', JSON.stringify({ transaction_id: id }), json, Date.now());
    }
  });
  const t0 = performance.now();
  const last = lines.at(-1) === '' ? lines.length - 1 : lines.length;
  for (let i = 1; i < last; i += 400) put(i, Math.min(i + 400, last));
  for (let i = 0; i < ids.length; i += 400) update(i, Math.min(i + 400, ids.length));
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return seconds;
}
