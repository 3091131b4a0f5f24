/**
 * SQLite table of the local firehose write-ahead store. One row per accepted batch, its records
 * framed as lines in `data`; `flush` is the object key of the flush that took the row (NULL while
 * it waits), so a flush interrupted by a crash is redone with the same rows and key.
 */
export const schema = `
CREATE TABLE IF NOT EXISTS firehose_entries (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  stream     TEXT NOT NULL,
  arrived_at INTEGER NOT NULL,
  hour       INTEGER NOT NULL,
  records    INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  data       BLOB NOT NULL,
  error      TEXT,
  flush      TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS firehose_entries_by_stream ON firehose_entries (stream, flush, id);
`;
