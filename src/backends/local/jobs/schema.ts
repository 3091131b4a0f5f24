/**
 * SQLite tables of the local job store (see ports/jobs.ts for the states).
 *
 * `jobs` holds one row per job; `relay` is the fencing token every handler-side write checks.
 * `checkpoint` is JSON (at most defaults.jobs.maxCheckpointBytes, checked before the write);
 * `checkpoint_seq` bumps on each write so the runner can tell whether a relay made progress.
 * `job_steps` is the step journal: one row per step position, replayed in order.
 * Index (status, wake_at) serves `due`; (created_at) serves `list`.
 */
export const schema = `
CREATE TABLE IF NOT EXISTS jobs (
  id             TEXT PRIMARY KEY,
  fn             TEXT NOT NULL,
  status         TEXT NOT NULL,
  input          TEXT,
  checkpoint     TEXT,
  checkpoint_seq INTEGER NOT NULL DEFAULT 0,
  relay          INTEGER NOT NULL DEFAULT 0,
  failures       INTEGER NOT NULL DEFAULT 0,
  stalls         INTEGER NOT NULL DEFAULT 0,
  executor       TEXT NOT NULL,
  progress_done  REAL,
  progress_total REAL,
  wake_at        INTEGER,
  waiting_for    TEXT,
  result         TEXT,
  error          TEXT,
  budget         TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (status, wake_at);
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs (created_at);

CREATE TABLE IF NOT EXISTS job_steps (
  job_id      TEXT NOT NULL,
  position    INTEGER NOT NULL,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL,
  result      TEXT,
  result_ref  TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  started_at  INTEGER,
  wake_at     INTEGER,
  error       TEXT,
  PRIMARY KEY (job_id, position)
) STRICT;
`;
