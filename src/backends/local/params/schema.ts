/**
 * SQLite tables of the local params store.
 *
 * `params` holds one row per existing parameter: its parent path (for get-by-path) and its latest
 * version. `param_versions` holds every kept version, the latest included; a SecureString value is
 * stored as base64(iv | tag | ciphertext), never in clear. Deleting a parameter removes both, so a
 * later put starts again at version 1, as SSM does.
 */
export const schema = `
CREATE TABLE IF NOT EXISTS params (
  name    TEXT NOT NULL PRIMARY KEY,
  parent  TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS params_by_parent ON params (parent, name);

CREATE TABLE IF NOT EXISTS param_versions (
  name          TEXT NOT NULL,
  version       INTEGER NOT NULL,
  type          TEXT NOT NULL,
  value         TEXT NOT NULL,
  description   TEXT,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) STRICT, WITHOUT ROWID;
`;
