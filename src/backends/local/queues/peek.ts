/**
 * queues.peek on SQLite: a page of a queue's messages in row order (oldest first), read with the
 * same statement redrive pages with, writing nothing. The cursor is the last row id handed out.
 */
import type { PeekOptions, PeekPage } from '../../../ports/queues.ts';
import { badPeekCursor, checkPeek } from '../../shared/queues/peek.ts';
import { toStored } from './message.ts';
import type { QueueState } from './state.ts';

export function peek(state: QueueState, queue: string, options: PeekOptions = {}): PeekPage {
  const limit = checkPeek(queue, options);
  const entry = state.require(queue);
  let after = 0;
  if (options.cursor !== undefined) {
    if (!/^\d{1,15}$/.test(options.cursor)) throw badPeekCursor(queue, options.cursor);
    after = Number(options.cursor);
  }
  const now = state.ctx.clock.now();
  const rows = state.stmts.page.all(entry.id, after, limit + 1);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const items = rows.map((row) => {
    const { receiptHandle: _, ...m } = toStored(row, state.messageIds);
    return { ...m, state: row.visible_at <= now ? ('visible' as const) : row.lease_state > 0 ? ('inFlight' as const) : ('delayed' as const) };
  });
  return { items, next: more ? String(rows[rows.length - 1]!.id) : null };
}
