/**
 * SQLite tables of the local queues store.
 *
 * `queues` holds each declared queue's config (JSON), so another process opening the same state
 * sees it. `queue_meta` holds `message_id_prefix`, made once per database (the schema runs in one
 * IMMEDIATE transaction at every open, so the first open makes it and every later one keeps it). `queue_messages` holds every message of every queue, dead-letter queues included; a
 * move to a DLQ or a redrive is an UPDATE of `queue_id`, so the row (and its id) survives it.
 *
 * Columns of queue_messages:
 *   id             row id; AUTOINCREMENT so an id is never reused, which keeps old receipt
 *                  handles (`<id>.<lease_seq>`) from ever matching a newer message
 *   visible_at     when the message may next be received (send time + delay, or end of lease)
 *   enqueued_at    when it entered this queue (send, dead-lettering or redrive); retention
 *                  counts from here, and `oldestAgeMs` is measured from it
 *   lease_seq      bumped by every receive, never reset: the fencing token in receipt handles
 *   lease_state    0 no open lease; 1 leased, attempt not counted yet; 2 leased and counted
 *   attempts       handler starts (what maxReceiveCount is compared with)
 *   source_queue   for a dead-lettered message, the queue it came from
 *
 * `message_id` is '' for every message sent since ids are derived from the row id and the random
 * prefix in `queue_meta` (message-id.ts); rows written before keep the UUID stored here.
 *
 * The index (queue_id, visible_at) makes receive an index range scan in (visible_at, id) order:
 * SQLite ends every index entry with the rowid, so ties are already in id (send) order and
 * listing id in the index would store it twice.
 * The index (queue_id, enqueued_at) lets stats and the lazy expiry find a queue's oldest message
 * and its messages past retention without reading every message: stats is called every second by
 * the dashboard and by alarms, and a dead-letter queue nobody drains grows to tens of thousands.
 * Measured, it costs ~0.9 µs per message on the raw send/receive/delete cycle (one more index
 * entry inserted and deleted; receive's lease does not change enqueued_at, so it does not touch it).
 * No foreign key from queue_messages to queues: it would cost a lookup on every insert, and
 * queues are never deleted.
 *
 * `queue_bodies` holds the body of a message longer than `inlineBodyMax` (enqueue.ts) by the
 * message's id; its queue_messages row then has body ''. SQLite writes a whole row again on every
 * UPDATE, so a long body in the row was copied into the WAL by each lease, attempt count and
 * visibility change (a 150 KB body spans ~37 overflow pages of 4 KiB: startAttempts of 10 such
 * messages took 3.9 ms of CPU, 0.05 ms with 200-byte bodies); apart, it is written once. A trigger
 * deletes the body with its message, whatever deletes it (delete, retention, purge). A row
 * written before this table existed keeps its body in the row, which reads the same.
 */
export const schema = `
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL,
  declared_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT,
  sent_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  lease_seq INTEGER NOT NULL DEFAULT 0,
  lease_state INTEGER NOT NULL DEFAULT 0,
  receive_count INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  last_error TEXT,
  source_queue TEXT
);
CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue_id, visible_at);
CREATE INDEX IF NOT EXISTS queue_messages_age ON queue_messages (queue_id, enqueued_at);
CREATE TABLE IF NOT EXISTS queue_bodies (
  id INTEGER PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS queue_bodies_gone AFTER DELETE ON queue_messages WHEN old.body = '' BEGIN
  DELETE FROM queue_bodies WHERE id = old.id;
END;
CREATE TABLE IF NOT EXISTS queue_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO queue_meta (key, value) VALUES ('message_id_prefix', lower(hex(randomblob(10))));
`;
