/**
 * SQLite tables of the local job store (see ports/jobs.ts for the states).
 *
 * `jobs` holds one row per job; `relay` is the fencing token every handler-side write checks.
 * `checkpoint` is JSON (at most defaults.jobs.maxCheckpointBytes, checked before the write);
 * `checkpoint_seq` bumps on each write so the runner can tell whether a relay made progress.
 * `job_steps` is the step journal: one row per step position, replayed in order.
 * Index (status, wake_at) serves `due`; (created_at) serves `list`.
 */
const jobTables = `
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

/**
 * The map ledger (see ports/jobs.ts MapLedger): `maps` one row per map, `map_items` one per item
 * with its JSON, status, attempts and result or error. Index (map_id, status, idx) serves take,
 * counts and the paged reads that write results and failures to objects.
 */
const mapTables = `
CREATE TABLE IF NOT EXISTS maps (
  id          TEXT PRIMARY KEY,
  fn          TEXT NOT NULL,
  status      TEXT NOT NULL,
  loaded      INTEGER NOT NULL DEFAULT 0,
  source_done INTEGER NOT NULL DEFAULT 0,
  options     TEXT NOT NULL,
  error       TEXT,
  manifest    TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS maps_by_created ON maps (created_at);

CREATE TABLE IF NOT EXISTS map_items (
  map_id   TEXT NOT NULL,
  idx      INTEGER NOT NULL,
  status   TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  item     TEXT NOT NULL,
  result   TEXT,
  error    TEXT,
  PRIMARY KEY (map_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS map_items_by_status ON map_items (map_id, status, idx);
`;

/** Both, applied when the backend opens (local/index.ts `schemas`). */
export const schema = jobTables + mapTables;
