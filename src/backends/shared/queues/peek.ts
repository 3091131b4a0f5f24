/** The checks both backends make on queues.peek's options. */
import { ValidationError, show } from '../../../core/errors.ts';
import type { PeekOptions } from '../../../ports/queues.ts';

/** The page size (default 50, at most 1,000). */
export function checkPeek(queue: string, options: PeekOptions): number {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError(`queues.peek of ${show(queue)}: limit ${show(options.limit)} must be a whole number from 1 to 1000.`);
  return limit;
}

export function badPeekCursor(queue: string, cursor: string): ValidationError {
  return new ValidationError(`queues.peek of ${show(queue)}: cursor ${show(cursor)} is not one this store handed out.`, { action: 'Pass the `next` of the previous page unchanged, or leave cursor out for the first page.' });
}
