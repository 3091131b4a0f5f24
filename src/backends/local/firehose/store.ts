import type { FirehoseEntry, FirehosePlan, FirehoseStats, FirehoseStore } from '../../../ports/firehose.ts';
import type { LocalContext } from '../context.ts';

interface Row {
  id: number;
  arrived_at: number;
  hour: number;
  records: number;
  bytes: number;
  data: Buffer;
  error: string | null;
  flush: string | null;
}

const toEntry = (r: Row): FirehoseEntry => ({ id: r.id, arrivedAt: r.arrived_at, hour: r.hour, records: r.records, data: r.data, ...(r.error !== null ? { error: r.error } : {}) });

/** The firehose write-ahead store in the shared SQLite file (schema.ts). */
export class LocalFirehoseStore implements FirehoseStore {
  private readonly q;

  constructor(private readonly ctx: LocalContext) {
    const db = ctx.db;
    this.q = {
      insert: db.prepare<[string, number, number, number, number, Buffer, string | null]>('INSERT INTO firehose_entries (stream, arrived_at, hour, records, bytes, data, error) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      stats: db.prepare<[string], { records: number | null; bytes: number | null; oldest: number | null }>('SELECT sum(records) AS records, sum(bytes) AS bytes, min(arrived_at) AS oldest FROM firehose_entries WHERE stream = ?'),
      planned: db.prepare<[string, string], Row>('SELECT * FROM firehose_entries WHERE stream = ? AND flush = (SELECT flush FROM firehose_entries WHERE stream = ? AND flush IS NOT NULL ORDER BY id LIMIT 1) ORDER BY id'),
      waiting: db.prepare<[string], Row>('SELECT * FROM firehose_entries WHERE stream = ? AND flush IS NULL ORDER BY id'),
      mark: db.prepare<[string, number]>('UPDATE firehose_entries SET flush = ? WHERE id = ?'),
      complete: db.prepare<[string, string]>('DELETE FROM firehose_entries WHERE stream = ? AND flush = ?'),
    };
  }

  append(stream: string, entries: ReadonlyArray<Omit<FirehoseEntry, 'id'>>): number[] {
    return this.ctx.db.transaction(() => entries.map((e) => Number(this.q.insert.run(stream, e.arrivedAt, e.hour, e.records, e.data.length, e.data, e.error ?? null).lastInsertRowid)))();
  }

  stats(stream: string): FirehoseStats {
    const r = this.q.stats.get(stream);
    return { records: r?.records ?? 0, bytes: r?.bytes ?? 0, ...(r?.oldest != null ? { oldestAt: r.oldest } : {}) };
  }

  plan(stream: string, maxBytes: number, keyOf: (first: FirehoseEntry, error: boolean) => string): FirehosePlan | undefined {
    return this.ctx.db.transaction((): FirehosePlan | undefined => {
      const unfinished = this.q.planned.all(stream, stream);
      if (unfinished.length > 0) return { key: unfinished[0]!.flush!, error: unfinished[0]!.error !== null, entries: unfinished.map(toEntry) };
      const taken: Row[] = [];
      let bytes = 0;
      for (const r of this.q.waiting.iterate(stream)) {
        const first = taken[0];
        if (first && (r.hour !== first.hour || (r.error === null) !== (first.error === null))) continue;
        if (first && bytes + r.bytes > maxBytes) break;
        taken.push(r);
        bytes += r.bytes;
      }
      const first = taken[0];
      if (!first) return undefined;
      const error = first.error !== null;
      const key = keyOf(toEntry(first), error);
      for (const r of taken) this.q.mark.run(key, r.id);
      return { key, error, entries: taken.map(toEntry) };
    }).immediate();
  }

  complete(stream: string, key: string): void {
    this.q.complete.run(stream, key);
  }
}
