/** The checks both backends make on a page of jobs or maps. */
import { ValidationError, show } from '../../../core/errors.ts';

const jobStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** The page size asked for (default 50). */
export function checkListPage(what: 'jobs' | 'maps', filter: { limit?: number; status?: string }): number {
  if (filter.status !== undefined && !jobStatuses.includes(filter.status)) throw new ValidationError(`${what}.page: status ${show(filter.status)} is not one of ${jobStatuses.join(', ')}.`);
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`${what}.page: limit ${show(filter.limit)} must be a whole number of at least 1.`);
  return limit;
}

export function badListCursor(what: 'jobs' | 'maps', cursor: string): ValidationError {
  return new ValidationError(`${what}.page: cursor ${show(cursor)} is not one this store handed out.`, { action: 'Pass the `next` of the previous page unchanged, or leave cursor out for the first page.' });
}
