/**
 * A page of the local run history (RunStore.page): newest first by seq, the filters in SQL on the
 * runs table's indexes, LIMIT n+1 to know whether there is more. The cursor is the seq of the
 * last run handed out, so a page never shifts when new runs arrive. `count` groups by fn and status
 * over the (started_at, status, fn) or the status index.
 */
import type { Statement } from 'better-sqlite3';
import type { Run, RunCount, RunCountFilter, RunPage, RunPageFilter, RunStatus } from '../../../ports/runs.ts';
import { badRunCursor, checkRunCount, checkRunPage } from '../../shared/runs/page.ts';
import type { Db } from '../db.ts';
import { runColumns, type RunRow } from './statements.ts';

export class RunPager {
  private readonly cache = new Map<string, Statement<Array<string | number>, RunRow>>();

  constructor(
    private readonly db: Db,
    private readonly toRun: (row: RunRow) => Run,
  ) {}

  page(filter: RunPageFilter): RunPage {
    const limit = checkRunPage(filter);
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.fn !== undefined) (where.push('fn = ?'), args.push(filter.fn));
    if (filter.status !== undefined) (where.push('status = ?'), args.push(filter.status));
    if (filter.trigger !== undefined) (where.push('trigger = ?'), args.push(filter.trigger));
    if (filter.since !== undefined) (where.push('started_at >= ?'), args.push(filter.since));
    if (filter.until !== undefined) (where.push('started_at < ?'), args.push(filter.until));
    if (filter.cursor !== undefined) {
      if (!/^[1-9][0-9]{0,15}$/.test(filter.cursor)) throw badRunCursor(filter.cursor);
      where.push('seq < ?');
      args.push(Number(filter.cursor));
    }
    const sql = `SELECT ${runColumns} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.prepare<Array<string | number>, RunRow>(sql)));
    const rows = stmt.all(...args, limit + 1);
    const more = rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(this.toRun), next: more ? String(rows[rows.length - 1]!.seq) : null };
  }

  count(filter: RunCountFilter): RunCount[] {
    checkRunCount(filter);
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.status !== undefined) (where.push('status = ?'), args.push(filter.status));
    if (filter.since !== undefined) (where.push('started_at >= ?'), args.push(filter.since));
    // A time (with or without a status) goes by the covering (started_at, status, fn) index: only
    // the runs since then, no row read; a status alone by (status, seq) (the planner, without
    // statistics, would otherwise scan every run).
    const index = filter.since !== undefined ? 'INDEXED BY runs_by_time' : 'INDEXED BY runs_by_status';
    const sql = `SELECT fn, status, count(*) AS count FROM runs ${index} WHERE ${where.join(' AND ')} GROUP BY fn, status`;
    return this.db.prepare<Array<string | number>, { fn: string; status: string; count: number }>(sql).all(...args).map((r) => ({ fn: r.fn, status: r.status as RunStatus, count: r.count }));
  }
}
