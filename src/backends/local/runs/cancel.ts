/**
 * Cancel requests of the local run history (ports/runs.ts RunStore.requestCancel and
 * cancelRequests), in the `run_cancels` table (schema.ts): one row per run someone asked to cancel.
 *
 * A request is written in one IMMEDIATE transaction that reads the run's status first, so a run
 * that ended before the request is refused (ConditionFailedError naming how it ended) and a request
 * never lands on a finished run. A second request while it runs keeps the first (INSERT OR IGNORE).
 * The row stays after the run ends, as the record of who asked (`Run.cancelRequest`), and goes
 * with its run when retention prunes it (a trigger).
 *
 * `pending` reads the requests of runs still running: it walks `run_cancels` (only runs someone
 * asked to cancel, bounded by retention) and looks each run up by its primary key, so the engine's
 * poll never reads the runs table by status or scans it.
 */
import type { CancelRequest, CancelRequestInput } from '../../../ports/runs.ts';
import type { Clock } from '../../../ports/clock.ts';
import { cancelRequestOf, notRunning, runNotFound } from '../../shared/runs/cancel.ts';
import type { Db } from '../db.ts';

interface CancelRow {
  at: number;
  by: string | null;
}

export class LocalRunCancels {
  private readonly stmt;
  private readonly requestTx: (id: string, at: number, by: string | null) => number;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.stmt = {
      run: db.prepare<[string], { seq: number; status: string }>('SELECT seq, status FROM runs WHERE id = ?'),
      insert: db.prepare<[number, number, string | null]>('INSERT OR IGNORE INTO run_cancels (run_seq, at, by) VALUES (?, ?, ?)'),
      of: db.prepare<[number], CancelRow>('SELECT at, by FROM run_cancels WHERE run_seq = ?'),
      pending: db.prepare<[], CancelRow & { runId: string }>(
        "SELECT r.id AS runId, c.at AS at, c.by AS by FROM run_cancels c JOIN runs r ON r.seq = c.run_seq WHERE r.status = 'running' ORDER BY c.run_seq",
      ),
    };
    this.requestTx = db.transaction((id: string, at: number, by: string | null): number => {
      const run = this.stmt.run.get(id);
      if (!run) throw runNotFound(id);
      if (run.status !== 'running') throw notRunning(id, run.status);
      this.stmt.insert.run(run.seq, at, by);
      return run.seq;
    }).immediate;
  }

  /** Records the request (see the file header); returns the run's seq. */
  request(id: string, input: CancelRequestInput = {}): number {
    return this.requestTx(id, Math.round(input.at ?? this.clock.now()), input.by ?? null);
  }

  /** The request of the run with this seq, if any. */
  of(seq: number): { at: number; by?: string } | undefined {
    const row = this.stmt.of.get(seq);
    return row ? cancelRequestOf(row.at, row.by) : undefined;
  }

  pending(): CancelRequest[] {
    return this.stmt.pending.all().map((r) => ({ runId: r.runId, ...cancelRequestOf(r.at, r.by) }));
  }
}
