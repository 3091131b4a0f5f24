import { ValidationError, show, type SerializedError } from '../../../core/errors.ts';
import type { RedriveOptions, RedriveResult } from '../../../ports/queues.ts';
import type { Db } from '../db.ts';
import { toStored } from './message.ts';
import type { MessageRow } from './rows.ts';
import { messageColumns } from './statements.ts';
import type { QueueEntry, QueueState } from './state.ts';

/** Ids bound at once as a JSON array (json_each), for reading rows to filter and for the move. */
const chunkSize = 5000;

/** A message that may move: the columns the result needs, and where it goes. */
interface Candidate {
  id: number;
  message_id: string;
  source_queue: string | null;
  attempts: number;
  last_error: string | null;
  dest: string;
}

const candidateColumns = 'id, message_id, source_queue, attempts, last_error, coalesce(@to, source_queue) AS dest';
const candidateWhere = 'queue_id = @dlq AND visible_at <= @now AND enqueued_at > @cutoff AND coalesce(@to, source_queue) IN (SELECT name FROM queues)';

/**
 * The statements of redrive. Candidates are the DLQ's messages that are visible (not held by a
 * consumer of the DLQ), not past the DLQ's retention, and have a declared destination (`to`, else
 * their source queue), oldest (lowest row id) first: one query of these small columns,
 * where paging through whole rows re-sorted the queue at every page (14 ms a page of 500 for a
 * 50,000-message DLQ, most of redrive's cost). When all of them are wanted they are sorted in JS
 * (by id, a number) rather than by SQLite, whose sorter copied each row with its last error (55 of
 * 250 ms for 50,000). The move is one UPDATE per chunk of ids.
 */
function prepareRedrive(db: Db) {
  return {
    /** to: null for each message's source queue */
    candidates: db.prepare<[{ to: string | null; dlq: number; now: number; cutoff: number }], Candidate>(`SELECT ${candidateColumns} FROM queue_messages WHERE ${candidateWhere}`),
    /** the same, the `limit` oldest */
    oldest: db.prepare<[{ to: string | null; dlq: number; now: number; cutoff: number; limit: number }], Candidate>(`SELECT ${candidateColumns} FROM queue_messages WHERE ${candidateWhere} ORDER BY id LIMIT @limit`),
    /** ids (JSON array): the whole rows, for the filter */
    rows: db.prepare<[string], MessageRow>(`SELECT ${messageColumns} FROM queue_messages WHERE id IN (SELECT value FROM json_each(?))`),
    /** to: null for each message's source queue; ids: a JSON array */
    move: db.prepare<[{ to: string | null; now: number; ids: string }]>(
      `UPDATE queue_messages
          SET queue_id = (SELECT id FROM queues WHERE name = coalesce(@to, source_queue)), source_queue = NULL, attempts = 0, receive_count = 0,
              lease_state = 0, first_received_at = NULL, visible_at = @now, enqueued_at = @now
        WHERE id IN (SELECT value FROM json_each(@ids))`,
    ),
  };
}

/**
 * Makes redrive: moves messages from a dead-letter queue back to their source queue (or to
 * `options.to`), oldest first, in one transaction. A moved message starts over: attempts and
 * receive count reset, visible at once, retention counted from now; its last error is kept.
 *
 * Skipped, and left in the DLQ: messages in flight there (a consumer of the DLQ holds them), past
 * the DLQ's retention, rejected by `filter`, beyond `max`, or with no source queue and no `to`.
 * A dry run reports the same list and writes nothing. Because a moved message leaves the DLQ in
 * the same transaction, running redrive again never moves a message twice. A filter that throws
 * rolls the whole redrive back and the error propagates.
 */
export function makeRedrive(state: QueueState) {
  const st = prepareRedrive(state.db);
  const tx = state.db.transaction((dlq: QueueEntry, options: RedriveOptions, to: QueueEntry | undefined, max: number, now: number) => {
    const filter = options.filter;
    const toName = to?.config.name ?? null;
    // With a filter, every candidate is read (the filter decides); without one, only the first `max`.
    const where = { to: toName, dlq: dlq.id, now, cutoff: now - dlq.config.retentionMs };
    let chosen = filter || max === Infinity ? st.candidates.all(where).sort((a, b) => a.id - b.id) : st.oldest.all({ ...where, limit: max });
    if (filter) {
      const kept: Candidate[] = [];
      for (let i = 0; i < chosen.length && kept.length < max; i += chunkSize) {
        const chunk = chosen.slice(i, i + chunkSize);
        const rows = new Map(st.rows.all(JSON.stringify(chunk.map((c) => c.id))).map((r) => [r.id, r]));
        for (const c of chunk) {
          if (kept.length >= max) break;
          if (filter(toStored(rows.get(c.id)!, state.messageIds))) kept.push(c);
        }
      }
      chosen = kept;
    }
    const result: RedriveResult = { moved: 0, messages: new Array(chosen.length) };
    const woken = new Set<string>();
    for (let i = 0; i < chosen.length; i++) {
      const c = chosen[i]!;
      const moved: RedriveResult['messages'][number] = { messageId: state.messageIds.of(c.id, c.message_id), sourceQueue: c.source_queue ?? undefined, to: c.dest, attempts: c.attempts };
      if (c.last_error !== null) moved.lastError = JSON.parse(c.last_error) as SerializedError;
      result.messages[i] = moved;
    }
    if (!options.dryRun) {
      for (let i = 0; i < chosen.length; i += chunkSize) {
        st.move.run({ to: toName, now, ids: JSON.stringify(chosen.slice(i, i + chunkSize).map((c) => c.id)) });
      }
      for (const c of chosen) woken.add(c.dest);
      result.moved = chosen.length;
    }
    return { result, woken };
  });

  return (deadLetterQueue: string, options: RedriveOptions = {}): RedriveResult => {
    const dlq = state.require(deadLetterQueue);
    const to = options.to === undefined ? undefined : state.require(options.to);
    if (to && to.id === dlq.id) {
      throw new ValidationError(`Redrive of '${deadLetterQueue}': 'to' names the dead-letter queue itself.`, { action: 'Pass the queue the messages should go back to, or leave out `to` to use each message\'s source queue.' });
    }
    const max = options.max ?? Infinity;
    if (max !== Infinity && (!Number.isInteger(max) || max < 0)) {
      throw new ValidationError(`Redrive of '${deadLetterQueue}': max is ${show(max)}; it must be a whole number of messages, 0 or more.`);
    }
    const run = options.dryRun ? tx.deferred : tx.immediate;
    const { result, woken } = run(dlq, options, to, max, state.ctx.clock.now());
    for (const name of woken) state.notify(name);
    return result;
  };
}
