import { boundLimit, type Db } from '../db.ts';
import type { LeaseRow, MessageRow, ReadyTuple } from './rows.ts';

/**
 * A message's body, from queue_bodies when the row holds '' for it (schema.ts); a row whose body
 * is really '' has no queue_bodies row and reads ''.
 */
export const bodyColumn = "CASE body WHEN '' THEN coalesce((SELECT b.body FROM queue_bodies b WHERE b.id = queue_messages.id), '') ELSE body END";

/** The columns of a MessageRow. */
export const messageColumns = `id, message_id, ${bodyColumn} AS body, attributes, sent_at, enqueued_at, visible_at, lease_seq, lease_state, receive_count, attempts, first_received_at, last_error, source_queue`;

/** The columns of a ReadyTuple, in tuple order; the parameter is the retention cutoff. */
const readyColumns = `id, ${bodyColumn}, attributes, CASE WHEN enqueued_at <= ? THEN NULL ELSE sent_at END, lease_seq, receive_count, attempts, first_received_at,
  CASE WHEN message_id = '' AND last_error IS NULL AND source_queue IS NULL THEN NULL ELSE json_array(message_id, last_error, source_queue) END`;

const limit = boundLimit;

/**
 * Every statement of the local queues, prepared once per database. Comments list the parameters
 * in order where they are not obvious.
 */
export function prepare(db: Db) {
  return {
    upsertQueue: db.prepare<[string, string, number], { id: number }>(
      'INSERT INTO queues (name, config, declared_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config, declared_at = excluded.declared_at RETURNING id',
    ),
    queueByName: db.prepare<[string], { id: number; config: string }>('SELECT id, config FROM queues WHERE name = ?'),
    queueById: db.prepare<[number], { id: number; config: string }>('SELECT id, config FROM queues WHERE id = ?'),
    allQueues: db.prepare<[], { id: number; config: string }>('SELECT id, config FROM queues ORDER BY name'),
    messageIdPrefix: db.prepare<[], { value: string }>("SELECT value FROM queue_meta WHERE key = 'message_id_prefix'"),

    /** retention cutoff, queue_id, now, limit */
    ready: db
      .prepare<[number, number, number, number], ReadyTuple>(`SELECT ${readyColumns} FROM queue_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, id ${limit}`)
      .raw(true),
    /** retention cutoff, queue_id, now, after visible_at, after id, limit: the next page after a (visible_at, id) position */
    readyAfter: db
      .prepare<[number, number, number, number, number, number], ReadyTuple>(
        `SELECT ${readyColumns} FROM queue_messages WHERE queue_id = ? AND visible_at <= ? AND (visible_at, id) > (?, ?) ORDER BY visible_at, id ${limit}`,
      )
      .raw(true),
    visibleAt: db.prepare<[number], number>('SELECT visible_at FROM queue_messages WHERE id = ?').pluck(),
    deleteById: db.prepare<[number]>('DELETE FROM queue_messages WHERE id = ?'),
    /** queue_id, source_queue, now (visible_at), now (enqueued_at), last_error (null keeps the old one), id */
    deadLetter: db.prepare<[number, string, number, number, string | null, number]>(
      'UPDATE queue_messages SET queue_id = ?, source_queue = ?, visible_at = ?, enqueued_at = ?, lease_state = 0, last_error = coalesce(?, last_error) WHERE id = ?',
    ),

    /** id, queue_id, lease_seq */
    deleteLeased: db.prepare<[number, number, number]>('DELETE FROM queue_messages WHERE id = ? AND queue_id = ? AND lease_seq = ? AND lease_state <> 0'),
    /** visible_at, id, queue_id, lease_seq */
    extendLeased: db.prepare<[number, number, number, number]>(
      'UPDATE queue_messages SET visible_at = ? WHERE id = ? AND queue_id = ? AND lease_seq = ? AND lease_state <> 0',
    ),
    /** visible_at, id, queue_id, lease_seq: visible, lease kept, the attempt this lease counted taken back */
    handBack: db.prepare<[number, number, number, number]>(
      'UPDATE queue_messages SET visible_at = ?, attempts = attempts - (lease_state = 2), lease_state = 1 WHERE id = ? AND queue_id = ? AND lease_seq = ? AND lease_state <> 0',
    ),
    /** id, queue_id, lease_seq: counts an attempt once per lease */
    startAttempt: db.prepare<[number, number, number]>(
      'UPDATE queue_messages SET attempts = attempts + (lease_state = 1), lease_state = 2 WHERE id = ? AND queue_id = ? AND lease_seq = ? AND lease_state <> 0',
    ),
    /** visible_at, last_error (null keeps the old one), id */
    release: db.prepare<[number, string | null, number]>(
      'UPDATE queue_messages SET visible_at = ?, lease_state = 0, last_error = coalesce(?, last_error) WHERE id = ?',
    ),
    lease: db.prepare<[number], LeaseRow>(
      'SELECT queue_id, message_id, lease_seq, lease_state, attempts, receive_count, source_queue FROM queue_messages WHERE id = ?',
    ),

    /** queue_id, after id, limit */
    page: db.prepare<[number, number, number], MessageRow>(
      `SELECT ${messageColumns} FROM queue_messages WHERE queue_id = ? AND id > ? ORDER BY id ${limit}`,
    ),
    // stats and redrive prepare their own statements (stats.ts, redrive.ts).
    purge: db.prepare<[number]>('DELETE FROM queue_messages WHERE queue_id = ?'),
  };
}

export type Statements = ReturnType<typeof prepare>;
