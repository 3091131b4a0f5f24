import type { Statement } from 'better-sqlite3';
import { NotFoundError } from '../../../core/errors.ts';
import type { QueueConfig } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import type { Db } from '../db.ts';

/** A declared queue: its row id in `queues` and its config. */
export interface QueueEntry {
  id: number;
  config: QueueConfig;
}

/** A queue_messages row as the receive and redrive paths read it. */
export interface MessageRow {
  id: number;
  message_id: string;
  body: string;
  attributes: string | null;
  sent_at: number;
  enqueued_at: number;
  visible_at: number;
  lease_seq: number;
  lease_state: number;
  receive_count: number;
  attempts: number;
  first_received_at: number | null;
  last_error: string | null;
  source_queue: string | null;
}

/**
 * The same columns as a tuple, as the receive path reads them: better-sqlite3's raw mode skips
 * building an object per row, which is a third of the cost of a receive. Keep in the order of
 * `messageColumns`.
 */
export type MessageTuple = [
  id: number,
  message_id: string,
  body: string,
  attributes: string | null,
  sent_at: number,
  enqueued_at: number,
  visible_at: number,
  lease_seq: number,
  lease_state: number,
  receive_count: number,
  attempts: number,
  first_received_at: number | null,
  last_error: string | null,
  source_queue: string | null,
];

/** Column positions in a MessageTuple. */
export const col = {
  id: 0, messageId: 1, body: 2, attributes: 3, sentAt: 4, enqueuedAt: 5, visibleAt: 6, leaseSeq: 7,
  leaseState: 8, receiveCount: 9, attempts: 10, firstReceivedAt: 11, lastError: 12, sourceQueue: 13,
} as const;

/** A message row to insert: queue_id, message_id, body, attributes, sent_at, enqueued_at, visible_at. */
export type InsertRow = [queueId: number, messageId: string, body: string, attributes: string | null, sentAt: number, enqueuedAt: number, visibleAt: number];

/** What a stale-receipt diagnosis needs to know about a message. */
export interface LeaseRow {
  queue_id: number;
  message_id: string;
  lease_seq: number;
  lease_state: number;
  attempts: number;
  receive_count: number;
  source_queue: string | null;
}

const messageColumns = 'id, message_id, body, attributes, sent_at, enqueued_at, visible_at, lease_seq, lease_state, receive_count, attempts, first_received_at, last_error, source_queue';

function prepare(db: Db) {
  return {
    upsertQueue: db.prepare<[string, string, number], { id: number }>(
      'INSERT INTO queues (name, config, declared_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config, declared_at = excluded.declared_at RETURNING id',
    ),
    queueByName: db.prepare<[string], { id: number; config: string }>('SELECT id, config FROM queues WHERE name = ?'),
    queueById: db.prepare<[number], { id: number; config: string }>('SELECT id, config FROM queues WHERE id = ?'),
    allQueues: db.prepare<[], { id: number; config: string }>('SELECT id, config FROM queues ORDER BY name'),

    ready: db
      .prepare<[number, number, number], MessageTuple>(`SELECT ${messageColumns} FROM queue_messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT ?`)
      .raw(true),
    /** queue_id, now, after visible_at, after id, limit: the next page after a (visible_at, id) position */
    readyAfter: db
      .prepare<[number, number, number, number, number], MessageTuple>(
        `SELECT ${messageColumns} FROM queue_messages WHERE queue_id = ? AND visible_at <= ? AND (visible_at, id) > (?, ?) ORDER BY visible_at, id LIMIT ?`,
      )
      .raw(true),
    /** visible_at, lease_state, attempts increment, first_received_at, id */
    markReceived: db.prepare<[number, number, number, number, number]>(
      'UPDATE queue_messages SET visible_at = ?, lease_seq = lease_seq + 1, lease_state = ?, receive_count = receive_count + 1, attempts = attempts + ?, first_received_at = coalesce(first_received_at, ?) WHERE id = ?',
    ),
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
    lastError: db.prepare<[number], { last_error: string | null }>('SELECT last_error FROM queue_messages WHERE id = ?'),

    /** queue_id, after id, limit */
    page: db.prepare<[number, number, number], MessageRow>(
      `SELECT ${messageColumns} FROM queue_messages WHERE queue_id = ? AND id > ? ORDER BY id LIMIT ?`,
    ),
    /** queue_id, now (visible_at), now (enqueued_at), id */
    redrive: db.prepare<[number, number, number, number]>(
      'UPDATE queue_messages SET queue_id = ?, source_queue = NULL, attempts = 0, receive_count = 0, lease_state = 0, first_received_at = NULL, visible_at = ?, enqueued_at = ? WHERE id = ?',
    ),

    expire: db.prepare<[number, number]>('DELETE FROM queue_messages WHERE queue_id = ? AND enqueued_at <= ?'),
    /** now x3, queue_id */
    counts: db.prepare<[number, number, number, number], { visible: number; in_flight: number; delayed: number; oldest: number | null }>(
      `SELECT count(*) FILTER (WHERE visible_at <= ?) AS visible,
              count(*) FILTER (WHERE visible_at > ? AND lease_state <> 0) AS in_flight,
              count(*) FILTER (WHERE visible_at > ? AND lease_state = 0) AS delayed,
              min(enqueued_at) AS oldest
         FROM queue_messages WHERE queue_id = ?`,
    ),
    /** queue_id, retention cutoff */
    depth: db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM queue_messages WHERE queue_id = ? AND enqueued_at > ?'),
    purge: db.prepare<[number]>('DELETE FROM queue_messages WHERE queue_id = ?'),
  };
}

export type Statements = ReturnType<typeof prepare>;

/**
 * Per-database state of the local queues: prepared statements (made once) and the queue configs
 * read so far. Shared by the store and by `enqueueWithin`, which other stores call with only a
 * LocalContext. Configs are cached after the first read; `declare` in this process refreshes the
 * cache, a declare by another process is seen when this process first looks the queue up.
 */
export class QueueState {
  readonly stmts: Statements;
  private readonly inserts = new Map<number, Statement<unknown[]>>();
  private readonly byName = new Map<string, QueueEntry>();
  private readonly byId = new Map<number, QueueEntry>();

  constructor(readonly ctx: LocalContext) {
    this.stmts = prepare(ctx.db);
  }

  get db(): Db {
    return this.ctx.db;
  }

  /** The INSERT of `rows` messages in one statement, prepared on first use. */
  insertMany(rows: number): Statement<unknown[]> {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      stmt = this.db.prepare(`INSERT INTO queue_messages (queue_id, message_id, body, attributes, sent_at, enqueued_at, visible_at) VALUES ${values}`);
      this.inserts.set(rows, stmt);
    }
    return stmt;
  }

  /** Stores a validated config (insert or update) and caches it. */
  save(config: QueueConfig): QueueEntry {
    const row = this.stmts.upsertQueue.get(config.name, JSON.stringify(config), this.ctx.clock.now());
    const entry: QueueEntry = { id: row!.id, config };
    this.cache(entry);
    return entry;
  }

  find(name: string): QueueEntry | undefined {
    const hit = this.byName.get(name);
    if (hit) return hit;
    const row = this.stmts.queueByName.get(name);
    return row ? this.cache({ id: row.id, config: JSON.parse(row.config) as QueueConfig }) : undefined;
  }

  findById(id: number): QueueEntry | undefined {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const row = this.stmts.queueById.get(id);
    return row ? this.cache({ id: row.id, config: JSON.parse(row.config) as QueueConfig }) : undefined;
  }

  /** The declared queue, or a NotFoundError telling where to declare it. */
  require(name: string): QueueEntry {
    const entry = this.find(name);
    if (entry) return entry;
    throw new NotFoundError(`Queue ${JSON.stringify(name)} is not declared.`, {
      action: `Declare it in baton.config.ts with queue(${JSON.stringify(name)}); the app declares its queues when it starts.`,
    });
  }

  /** The dead-letter queue of `entry`, if it has one. */
  deadLetterOf(entry: QueueEntry): QueueEntry | undefined {
    const dl = entry.config.deadLetter;
    return dl ? this.require(dl.queue) : undefined;
  }

  all(): QueueEntry[] {
    return this.stmts.allQueues.all().map((row) => this.cache({ id: row.id, config: JSON.parse(row.config) as QueueConfig }));
  }

  /** Tells in-process long-pollers of `queue` that messages became visible (call after commit). */
  notify(queue: string): void {
    this.ctx.signals.emit(`queue:${queue}`);
  }

  private cache(entry: QueueEntry): QueueEntry {
    this.byName.set(entry.config.name, entry);
    this.byId.set(entry.id, entry);
    return entry;
  }
}

const states = new WeakMap<Db, QueueState>();

/** The queue state of this context's database, made on first use. */
export function queueState(ctx: LocalContext): QueueState {
  let state = states.get(ctx.db);
  if (!state) {
    state = new QueueState(ctx);
    states.set(ctx.db, state);
  }
  return state;
}
