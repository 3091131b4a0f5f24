/**
 * SQLite tables of the local topics store.
 *
 * `topics` holds each declared topic's config (JSON), so another process on the same state sees it.
 * `topic_messages` holds a published message's notification (the SNS JSON every subscriber gets)
 * once, however many file and webhook subscribers it has. `topic_deliveries` is the outbox: one
 * row per (message, file or webhook subscriber), written in the publish transaction.
 *
 * Columns of topic_deliveries:
 *   subscriber   its identity as deliveries() shows it: 'file:<path>' or 'webhook:<url>'
 *   target       the subscriber as it was at publish time (JSON), with its retry settings
 *   status       'pending' until delivered or given up ('delivered' | 'failed')
 *   attempts     attempts made so far (a resumed delivery continues the count)
 *   lease_until  a process delivering the row holds it until then; past it, another process (or
 *                this one after a restart) may take it over. 0: free.
 *
 * Queue subscribers have no rows: their message is enqueued in the publish transaction itself.
 */
export const schema = `
CREATE TABLE IF NOT EXISTS topics (
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  declared_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS topic_messages (
  message_id TEXT PRIMARY KEY,
  topic TEXT NOT NULL,
  notification TEXT NOT NULL,
  published_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS topic_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  subscriber TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS topic_deliveries_pending ON topic_deliveries (status, id);
CREATE INDEX IF NOT EXISTS topic_deliveries_by_topic ON topic_deliveries (topic, id);
`;
