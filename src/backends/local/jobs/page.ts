/**
 * Pages of the local jobs and maps tables, newest first (created_at, then rowid), read on their
 * created_at indexes, LIMIT n+1 to know whether there is more. The cursor is `<created_at>:<rowid>`
 * of the last row handed out, so a page never shifts when new jobs arrive.
 */
import type { Db } from '../db.ts';
import { badListCursor, checkListPage } from '../../shared/jobs/page.ts';
import type { ListPage } from '../../../ports/jobs.ts';

export function pageRows<Row extends { created_at: number }, T>(db: Db, what: 'jobs' | 'maps', filter: { limit?: number; cursor?: string; status?: string; fn?: string }, toValue: (row: Row) => T): ListPage<T> {
  const limit = checkListPage(what, filter);
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.status !== undefined) (where.push('status = ?'), args.push(filter.status));
  if (filter.fn !== undefined) (where.push('fn = ?'), args.push(filter.fn));
  if (filter.cursor !== undefined) {
    const m = /^(\d{1,16}):(\d{1,16})$/.exec(filter.cursor);
    if (!m) throw badListCursor(what, filter.cursor);
    where.push('(created_at, rowid) < (?, ?)');
    args.push(Number(m[1]), Number(m[2]));
  }
  const sql = `SELECT *, rowid AS page_rowid FROM ${what} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
  const rows = db.prepare<Array<string | number>, Row & { page_rowid: number }>(sql).all(...args, limit + 1);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const last = rows[rows.length - 1];
  return { items: rows.map(toValue), next: more && last ? `${last.created_at}:${last.page_rowid}` : null };
}
