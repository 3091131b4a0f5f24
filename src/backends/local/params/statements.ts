/** The prepared statements of the local params store, created once per store. */
import type { Db } from '../db.ts';

export interface VersionRow {
  name: string;
  version: number;
  type: string;
  value: string;
  description: string | null;
  last_modified: number;
}

const columns = 'v.name, v.version, v.type, v.value, v.description, v.last_modified';
const latestJoin = 'FROM params p JOIN param_versions v ON v.name = p.name AND v.version = p.version';

export function prepareStatements(db: Db) {
  return {
    latest: db.prepare<[string], VersionRow>(`SELECT ${columns} ${latestJoin} WHERE p.name = ?`),
    atVersion: db.prepare<[string, number], VersionRow>(`SELECT ${columns} FROM param_versions v WHERE v.name = ? AND v.version = ?`),
    children: db.prepare<[string], VersionRow>(`SELECT ${columns} ${latestJoin} WHERE p.parent = ? ORDER BY p.name`),
    subtree: db.prepare<[string, string], VersionRow>(`SELECT ${columns} ${latestJoin} WHERE p.name >= ? AND p.name < ? ORDER BY p.name`),
    history: db.prepare<[string], VersionRow>(`SELECT ${columns} FROM param_versions v WHERE v.name = ? ORDER BY v.version`),
    keptRange: db.prepare<[string], { first: number | null; last: number | null }>('SELECT min(version) AS first, max(version) AS last FROM param_versions WHERE name = ?'),
    upsertHead: db.prepare<[string, string, number]>(
      'INSERT INTO params (name, parent, version) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
    ),
    insertVersion: db.prepare<[string, number, string, string, string | null, number]>(
      'INSERT INTO param_versions (name, version, type, value, description, last_modified) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    trimVersions: db.prepare<[string, number]>('DELETE FROM param_versions WHERE name = ? AND version <= ?'),
    deleteHead: db.prepare<[string]>('DELETE FROM params WHERE name = ?'),
    deleteVersions: db.prepare<[string]>('DELETE FROM param_versions WHERE name = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
