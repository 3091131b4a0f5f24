import { NotFoundError } from '../../../core/errors.ts';
import type { QueueConfig } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import type { Db } from '../db.ts';
import { Chunked, repeat } from './chunks.ts';
import { MessageIds } from './message-id.ts';
import { prepare, type Statements } from './statements.ts';

/** A declared queue: its row id in `queues` and its config. */
export interface QueueEntry {
  id: number;
  config: QueueConfig;
}

/**
 * Per-database state of the local queues: prepared statements (made once) and the queue configs
 * read so far. Shared by the store and by `enqueueWithin`, which other stores call with only a
 * LocalContext. Configs are cached after the first read; `declare` in this process refreshes the
 * cache, a declare by another process is seen when this process first looks the queue up.
 */
export class QueueState {
  readonly stmts: Statements;
  readonly messageIds: MessageIds;
  /**
   * INSERT of a chunk of messages into one queue at one time: body, attributes, visible_at per
   * message, then @queue and @now bound once for all (message_id is '' as ids are derived, see
   * message-id.ts).
   *
   * OR FAIL (here and in `lease`): with the default (ABORT), a statement that writes several rows
   * inside a transaction first copies every page it touches into a statement journal, so that it
   * alone can be undone if a later row fails a NOT NULL check; with 16 KiB pages that copying was
   * a third of a sendBatch. Rows come here validated, and an error in the statement propagates out
   * of the caller's transaction, which rolls back as a whole, so the journal bought nothing.
   */
  readonly insert: Chunked;
  /** INSERT of a chunk of long bodies (OR FAIL: see `insert`): id, body per message (schema.ts queue_bodies). */
  readonly insertBodies: Chunked;
  /** Leases a chunk of messages by id (OR FAIL: see `insert`). Parameters: visible_at, lease_state, attempts increment, now, then the ids. */
  readonly lease: Chunked;
  private readonly byName = new Map<string, QueueEntry>();
  private readonly byId = new Map<number, QueueEntry>();

  constructor(readonly ctx: LocalContext) {
    this.stmts = prepare(ctx.db);
    this.messageIds = new MessageIds(this.stmts.messageIdPrefix.get()?.value ?? '');
    this.insert = new Chunked(
      ctx.db,
      (n) => `INSERT OR FAIL INTO queue_messages (queue_id, message_id, body, attributes, sent_at, enqueued_at, visible_at) VALUES ${repeat(n, "(@queue, '', ?, ?, @now, @now, ?)")}`,
    );
    this.insertBodies = new Chunked(ctx.db, (n) => `INSERT OR FAIL INTO queue_bodies (id, body) VALUES ${repeat(n, '(?, ?)')}`);
    this.lease = new Chunked(
      ctx.db,
      (n) =>
        `UPDATE OR FAIL queue_messages SET visible_at = ?, lease_seq = lease_seq + 1, lease_state = ?, receive_count = receive_count + 1, attempts = attempts + ?, first_received_at = coalesce(first_received_at, ?) WHERE id IN (${repeat(n)})`,
    );
  }

  get db(): Db {
    return this.ctx.db;
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
