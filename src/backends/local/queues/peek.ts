/**
 * queues.peek on SQLite: a page of a queue's messages in row order (oldest first), writing nothing.
 * The cursor is the last row id handed out.
 *
 * How it reads: the queue's index is by (queue_id, visible_at), so "this queue's rows by id" through
 * it sorts every row of the queue (14 ms a page for a 50,000-message DLQ). A DLQ is usually most
 * of the table's rows, so the page first walks row ids in windows that double (NOT INDEXED: a
 * primary-key range, 0.5 ms for that page); when this queue turns out to be sparse (100,000 row ids
 * walked and the page not full) the rest comes through the index, whose cost is the queue's size.
 */
import type { Statement } from 'better-sqlite3';
import type { PeekOptions, PeekPage } from '../../../ports/queues.ts';
import { badPeekCursor, checkPeek } from '../../shared/queues/peek.ts';
import { toStored } from './message.ts';
import type { MessageRow } from './rows.ts';
import { messageColumns } from './statements.ts';
import type { QueueState } from './state.ts';

const walkCap = 100_000;
const statements = new WeakMap<QueueState, { range: Statement<[number, number, number, number], MessageRow>; maxId: Statement<[], number | null> }>();

function rowsAfter(state: QueueState, queueId: number, after: number, want: number): MessageRow[] {
  let st = statements.get(state);
  if (!st) {
    st = {
      range: state.db.prepare<[number, number, number, number], MessageRow>(`SELECT ${messageColumns} FROM queue_messages NOT INDEXED WHERE id > ? AND id <= ? AND queue_id = ? ORDER BY id LIMIT ?`),
      maxId: state.db.prepare<[], number | null>('SELECT max(id) FROM queue_messages').pluck(),
    };
    statements.set(state, st);
  }
  const maxId = st.maxId.get() ?? 0;
  const rows: MessageRow[] = [];
  let from = after;
  let window = Math.max(1000, want * 4);
  let walked = 0;
  while (rows.length < want && from < maxId && walked < walkCap) {
    rows.push(...st.range.all(from, from + window, queueId, want - rows.length));
    walked += window;
    from += window;
    window *= 2;
  }
  if (rows.length < want && from < maxId) rows.push(...state.stmts.page.all(queueId, from, want - rows.length));
  return rows;
}

export function peek(state: QueueState, queue: string, options: PeekOptions = {}): PeekPage {
  const limit = checkPeek(queue, options);
  const entry = state.require(queue);
  let after = 0;
  if (options.cursor !== undefined) {
    if (!/^\d{1,15}$/.test(options.cursor)) throw badPeekCursor(queue, options.cursor);
    after = Number(options.cursor);
  }
  const now = state.ctx.clock.now();
  const rows = rowsAfter(state, entry.id, after, limit + 1);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const items = rows.map((row) => {
    const { receiptHandle: _, ...m } = toStored(row, state.messageIds);
    return { ...m, state: row.visible_at <= now ? ('visible' as const) : row.lease_state > 0 ? ('inFlight' as const) : ('delayed' as const) };
  });
  return { items, next: more ? String(rows[rows.length - 1]!.id) : null };
}
