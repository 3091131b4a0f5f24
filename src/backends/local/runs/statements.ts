/** The prepared statements of the local run history, created once per store. */
import { boundLimit, type Db } from '../db.ts';

export interface RunRow {
  seq: number;
  id: string;
  fn: string;
  trigger: string;
  attempt: number;
  request_id: string | null;
  started_at: number;
  duration_ms: number | null;
  status: string;
  error_type: string | null;
  error_message: string | null;
  error_stack: string | null;
  record_ids: string;
  input: string | null;
  result: string | null;
}

export interface LogRow {
  time: number;
  level: string;
  message: string;
}

export const runColumns = 'seq, id, fn, trigger, attempt, request_id, started_at, duration_ms, status, error_type, error_message, error_stack, record_ids, input, (SELECT result FROM run_results WHERE run_seq = runs.seq) AS result';

export function prepareStatements(db: Db) {
  return {
    insert: db.prepare<[string, string, string, number, string | null, number, string, string | null]>(
      `INSERT INTO runs (id, fn, trigger, attempt, request_id, started_at, status, record_ids, input) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
    ),
    finish: db.prepare<[number, string, string | null, string | null, string | null, string | null, string]>(
      'UPDATE runs SET duration_ms = ?, status = ?, error_type = ?, error_message = ?, error_stack = ?, record_ids = coalesce(?, record_ids) WHERE id = ?',
    ),
    insertResult: db.prepare<[string, string]>('INSERT OR REPLACE INTO run_results (run_seq, result) SELECT seq, ? FROM runs WHERE id = ?'),
    byId: db.prepare<[string], RunRow>(`SELECT ${runColumns} FROM runs WHERE id = ?`),
    seqOf: db.prepare<[string], { seq: number }>('SELECT seq FROM runs WHERE id = ?'),
    insertLog: db.prepare<[number, number, string, string]>('INSERT INTO run_logs (run_seq, time, level, message) VALUES (?, ?, ?, ?)'),
    logs: db.prepare<[number, number], LogRow>(`SELECT time, level, message FROM run_logs WHERE run_seq = ? ORDER BY id ${boundLimit}`),
    fns: db.prepare<[], { fn: string }>('SELECT DISTINCT fn FROM runs'),
    /** The seq of the newest run of `fn` that falls outside the newest N (OFFSET N). */
    cutoffForFn: db.prepare<[string, number], { seq: number }>('SELECT seq FROM runs WHERE fn = ? ORDER BY seq DESC LIMIT 1 OFFSET ?'),
    deleteLogsOfFnUpTo: db.prepare<[string, number]>('DELETE FROM run_logs WHERE run_seq IN (SELECT seq FROM runs WHERE fn = ? AND seq <= ?)'),
    deleteRunsOfFnUpTo: db.prepare<[string, number]>('DELETE FROM runs WHERE fn = ? AND seq <= ?'),
    deleteLogsBefore: db.prepare<[number]>('DELETE FROM run_logs WHERE run_seq IN (SELECT seq FROM runs WHERE started_at < ?)'),
    deleteRunsBefore: db.prepare<[number]>('DELETE FROM runs WHERE started_at < ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
