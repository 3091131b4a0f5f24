/** The checks both backends make on a page of runs (ports/runs.ts RunStore.page), so both refuse the same filters the same way. */
import { ValidationError, show } from '../../../core/errors.ts';
import { runStatuses } from '../../../ports/runs.ts';
import type { RunCountFilter, RunPageFilter } from '../../../ports/runs.ts';

/** The page size asked for (default 50), after checking the filter's status, times and limit. */
export function checkRunPage(filter: RunPageFilter): number {
  if (filter.status !== undefined && !runStatuses.includes(filter.status)) {
    throw new ValidationError(`runs.page: status ${show(filter.status)} is not one of ${runStatuses.join(', ')}.`);
  }
  for (const k of ['since', 'until'] as const) {
    const v = filter[k];
    if (v !== undefined && !Number.isFinite(v)) throw new ValidationError(`runs.page: ${k} ${show(v)} must be a time in epoch milliseconds.`);
  }
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`runs.page: limit ${show(filter.limit)} must be a whole number of at least 1.`);
  return limit;
}

export function badRunCursor(cursor: string): ValidationError {
  return new ValidationError(`runs.page: cursor ${show(cursor)} is not one this store handed out.`, { action: 'Pass the `next` of the previous page unchanged, or leave cursor out for the first page.' });
}

/** Checks a count's filter: a status from the list, a finite since, and at least one of them (counting every run is not offered). */
export function checkRunCount(filter: RunCountFilter): void {
  if (filter.status !== undefined && !runStatuses.includes(filter.status)) {
    throw new ValidationError(`runs.count: status ${show(filter.status)} is not one of ${runStatuses.join(', ')}.`);
  }
  if (filter.since !== undefined && !Number.isFinite(filter.since)) throw new ValidationError(`runs.count: since ${show(filter.since)} must be a time in epoch milliseconds.`);
  if (filter.since === undefined && filter.status === undefined) {
    throw new ValidationError('runs.count: give since or status (or both); counting every run is not offered.', { action: 'Count the runs of a time window (since) or of one status.' });
  }
}
