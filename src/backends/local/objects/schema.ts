/**
 * SQLite tables of the local object store. SQLite is the truth for which objects exist and what
 * they are; the filesystem only holds their bytes (see store.ts for the write protocol).
 *
 * object_buckets   each declared bucket's config (JSON), so another process sees it
 * objects          one row per object. WITHOUT ROWID with primary key (bucket, key): the rows are
 *                  stored in key order, so a list page is one index range scan, and the BINARY
 *                  collation on TEXT compares UTF-8 bytes, which is S3's list order.
 *                  `path` is where the bytes are (relative to <dir>/objects); `escaped` marks keys
 *                  stored in the escaped tree (keys.ts); `seq` is the change counter value of the
 *                  write that made this version (readers compare it to detect a concurrent
 *                  replacement; events use it as the S3 sequencer).
 * object_intents   writes in progress: a put between "temp file complete" and "metadata
 *                  committed", or a delete between "row removed" and "file unlinked". At most one
 *                  per key at a time (it is the key's lock across processes); recovery finishes
 *                  every one left by a crash.
 * object_outbox    S3 event records for non-queue targets, oldest first, until acknowledged.
 * object_sequence  one row: the change counter (events' sequencers, rows' seq).
 */
export const schema = `
CREATE TABLE IF NOT EXISTS object_buckets (
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  declared_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  escaped INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS object_intents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('put', 'delete')),
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  path TEXT NOT NULL,
  escaped INTEGER NOT NULL,
  tmp TEXT,
  size INTEGER,
  etag TEXT,
  content_type TEXT,
  metadata TEXT,
  event_name TEXT,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS object_intents_key ON object_intents (bucket, key);
CREATE TABLE IF NOT EXISTS object_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  record TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS object_sequence (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO object_sequence (id, value) VALUES (1, 0);
`;
