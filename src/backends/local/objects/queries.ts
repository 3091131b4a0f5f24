/** Prepared statements of the local object store (tables in schema.ts). */
import { boundLimit, type Db } from '../db.ts';

/** An `objects` row. */
export interface ObjectRow {
  bucket: string;
  key: string;
  path: string;
  escaped: number;
  size: number;
  etag: string;
  content_type: string;
  metadata: string;
  last_modified: number;
  seq: number;
}

/** An `object_intents` row. */
export interface IntentRow {
  id: number;
  kind: 'put' | 'delete';
  bucket: string;
  key: string;
  path: string;
  escaped: number;
  tmp: string | null;
  size: number | null;
  etag: string | null;
  content_type: string | null;
  metadata: string | null;
  event_name: string | null;
  at: number;
}

const columns = 'bucket, key, path, escaped, size, etag, content_type, metadata, last_modified, seq';

/** A range scan of one bucket in key order: lower bound inclusive or not, with or without an upper bound. */
function scans(db: Db) {
  const scan = (lower: '>' | '>=', upper: boolean) =>
    db.prepare<unknown[], ObjectRow>(
      `SELECT ${columns} FROM objects WHERE bucket = ? AND key ${lower} ?${upper ? ' AND key < ?' : ''} ORDER BY key ${boundLimit}`,
    );
  return { after: scan('>', false), from: scan('>=', false), afterBelow: scan('>', true), fromBelow: scan('>=', true) };
}

export function prepareQueries(db: Db) {
  return {
    upsertBucket: db.prepare<[string, string, number]>(
      'INSERT INTO object_buckets (name, config, declared_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config, declared_at = excluded.declared_at',
    ),
    bucketConfig: db.prepare<[string], { config: string }>('SELECT config FROM object_buckets WHERE name = ?'),

    object: db.prepare<[string, string], ObjectRow>(`SELECT ${columns} FROM objects WHERE bucket = ? AND key = ?`),
    /** The row and whether a write of the key is in flight, in one read (a consistent snapshot). */
    objectAndBusy: db.prepare<[string, string, string, string], ObjectRow & { busy: number | null }>(
      `SELECT ${columns}, (SELECT id FROM object_intents WHERE bucket = ? AND key = ? ORDER BY id LIMIT 1) AS busy FROM objects WHERE bucket = ? AND key = ?`,
    ),
    upsertObject: db.prepare<[string, string, string, number, number, string, string, string, number, number]>(
      `INSERT INTO objects (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (bucket, key) DO UPDATE SET path = excluded.path, escaped = excluded.escaped, size = excluded.size, etag = excluded.etag,
         content_type = excluded.content_type, metadata = excluded.metadata, last_modified = excluded.last_modified, seq = excluded.seq`,
    ),
    deleteObject: db.prepare<[string, string]>('DELETE FROM objects WHERE bucket = ? AND key = ?'),
    /** bucket, key + '/', key + '0': the first plain key inside the folder `key/`. */
    plainDescendant: db.prepare<[string, string, string], { key: string }>(
      'SELECT key FROM objects WHERE bucket = ? AND key >= ? AND key < ? AND escaped = 0 ORDER BY key LIMIT 1',
    ),
    scan: scans(db),

    insertPutIntent: db.prepare<[string, string, string, number, string, number, string, string, string, string, number], { id: number }>(
      `INSERT INTO object_intents (kind, bucket, key, path, escaped, tmp, size, etag, content_type, metadata, event_name, at)
       VALUES ('put', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ),
    insertDeleteIntent: db.prepare<[string, string, string, number, number], { id: number }>(
      "INSERT INTO object_intents (kind, bucket, key, path, escaped, at) VALUES ('delete', ?, ?, ?, ?, ?) RETURNING id",
    ),
    intent: db.prepare<[number], IntentRow>('SELECT * FROM object_intents WHERE id = ?'),
    intents: db.prepare<[], IntentRow>('SELECT * FROM object_intents ORDER BY id'),
    intentTmps: db.prepare<[], { tmp: string }>('SELECT tmp FROM object_intents WHERE tmp IS NOT NULL'),
    deleteIntent: db.prepare<[number]>('DELETE FROM object_intents WHERE id = ?'),
    intentOnKey: db.prepare<[string, string], { id: number }>('SELECT id FROM object_intents WHERE bucket = ? AND key = ? ORDER BY id LIMIT 1'),
    /** bucket, key + '/', key + '0': a write in flight inside the folder `key/`. */
    plainIntentInside: db.prepare<[string, string, string], { id: number }>(
      'SELECT id FROM object_intents WHERE bucket = ? AND key >= ? AND key < ? AND escaped = 0 ORDER BY id LIMIT 1',
    ),

    nextSeq: db.prepare<[], { value: number }>('UPDATE object_sequence SET value = value + 1 WHERE id = 1 RETURNING value'),

    insertEvent: db.prepare<[string, string]>('INSERT INTO object_outbox (target, record) VALUES (?, ?)'),
    pendingEvents: db.prepare<[number], { id: number; target: string; record: string }>(`SELECT id, target, record FROM object_outbox ORDER BY id ${boundLimit}`),
    ackEvent: db.prepare<[number]>('DELETE FROM object_outbox WHERE id = ?'),
  };
}

export type Queries = ReturnType<typeof prepareQueries>;
