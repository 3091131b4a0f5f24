/**
 * SQLite tables of the local run history.
 *
 * `runs` holds one row per invocation. `seq` (AUTOINCREMENT, never reused) orders runs newest
 * first and is what logs point to; `id` is the public run id. `record_ids` is a JSON array.
 * `run_logs` holds log lines in write order (its rowid). Pruning deletes a run's logs, then the
 * run, in one transaction; there is no foreign key, so an insert costs no extra lookup.
 *
 * `run_results` holds a finished run's result summary (a table of its own, so a state directory
 * made before results existed needs no migration); a trigger deletes it with its run.
 *
 * Indexes: (fn, seq) for `baton runs --fn` and per-function retention, (status, seq) for
 * `--status`, (started_at, status, fn) for age-based retention and for counts since a time (the
 * dashboard's runs per minute and errors in the last hour every second: covering, so counting reads
 * only the index range, where (started_at) alone or (status, seq) read a row per run; 12.8 -> ~0 ms
 * for the last hour's errors among 100,000 runs), (run_seq, id) for a run's logs.
 */

/**
 * Cancel requests (issue 14; runs/cancel.ts): one row per run someone asked to cancel, a table of
 * its own so a state directory made before it needs no migration and the engine's poll reads only
 * requests, never runs. A trigger deletes the request with its run.
 */
const cancelSchema = `
CREATE TABLE IF NOT EXISTS run_cancels (
  run_seq INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  by      TEXT
) STRICT;
CREATE TRIGGER IF NOT EXISTS run_cancels_gone AFTER DELETE ON runs BEGIN
  DELETE FROM run_cancels WHERE run_seq = old.seq;
END;
`;

export const schema = `
CREATE TABLE IF NOT EXISTS runs (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  fn            TEXT NOT NULL,
  trigger       TEXT NOT NULL,
  attempt       INTEGER NOT NULL,
  request_id    TEXT,
  started_at    INTEGER NOT NULL,
  duration_ms   REAL,
  status        TEXT NOT NULL,
  error_type    TEXT,
  error_message TEXT,
  error_stack   TEXT,
  record_ids    TEXT NOT NULL,
  input         TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS runs_by_fn ON runs (fn, seq);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, seq);
DROP INDEX IF EXISTS runs_by_started;
CREATE INDEX IF NOT EXISTS runs_by_time ON runs (started_at, status, fn);

CREATE TABLE IF NOT EXISTS run_logs (
  id      INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL,
  time    INTEGER NOT NULL,
  level   TEXT NOT NULL,
  message TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS run_logs_by_run ON run_logs (run_seq, id);

CREATE TABLE IF NOT EXISTS run_results (
  run_seq INTEGER PRIMARY KEY,
  result  TEXT NOT NULL
) STRICT;
CREATE TRIGGER IF NOT EXISTS run_results_gone AFTER DELETE ON runs BEGIN
  DELETE FROM run_results WHERE run_seq = old.seq;
END;
${cancelSchema}`;

