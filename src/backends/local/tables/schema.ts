/**
 * SQLite tables of the local tables store.
 *
 * `table_items` keeps the key values in typed columns (STRICT ... ANY keeps a value exactly as
 * bound: a number stays a number, a string stays TEXT), so the primary key index sorts number sort
 * keys numerically and string sort keys by their UTF-8 bytes (BINARY collation), as DynamoDB does.
 * A table without a sort key stores '' as its sort value (DynamoDB forbids empty key strings, so it
 * cannot clash). The item itself is its JSON text.
 *
 * `table_stream` is the change stream of every table, keyed (tid, seq): the sequence counts per
 * table (the next one is max + 1, taken inside the write transaction), which orders every record of
 * the table, and a stream write touches one page of it. Trimming always keeps a table's newest
 * record, so its sequence never goes back and is never reused, and a consumer position (the last
 * sequence it committed) stays meaningful forever. (A global AUTOINCREMENT sequence needs a second
 * index and the sqlite_sequence row: two more pages per write, measured at about twice the cost.)
 */
export const schema = `
CREATE TABLE IF NOT EXISTS table_configs (
  id     INTEGER PRIMARY KEY,
  name   TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS table_items (
  tid  INTEGER NOT NULL,
  pk   ANY NOT NULL,
  sk   ANY NOT NULL,
  item TEXT NOT NULL,
  PRIMARY KEY (tid, pk, sk)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS table_stream (
  tid        INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  event      TEXT NOT NULL,
  keys       TEXT NOT NULL,
  old_image  TEXT,
  new_image  TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tid, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS table_stream_consumers (
  tid      INTEGER NOT NULL,
  consumer TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (tid, consumer)
) STRICT, WITHOUT ROWID;
`;
