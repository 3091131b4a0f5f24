import type { Statement } from 'better-sqlite3';
import { NotFoundError } from '../../../core/errors.ts';
import type { QueueConfig } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import type { Db } from '../db.ts';
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
  private readonly inserts = new Map<number, Statement<unknown[]>>();
  private readonly byName = new Map<string, QueueEntry>();
  private readonly byId = new Map<number, QueueEntry>();

  constructor(readonly ctx: LocalContext) {
    this.stmts = prepare(ctx.db);
    this.messageIds = new MessageIds(this.stmts.messageIdPrefix.get()?.value ?? '');
  }

  get db(): Db {
    return this.ctx.db;
  }

  /**
   * The INSERT of `rows` messages in one statement, prepared on first use.
   *
   * OR FAIL: with the default (ABORT), a multi-row INSERT inside a transaction first copies every
   * page it touches into a statement journal, so that it alone can be undone if a later row fails
   * a NOT NULL check; with 16 KiB pages that copying was a third of a sendBatch. Rows come here
   * validated, and an error in the INSERT propagates out of the caller's transaction, which rolls
   * back as a whole, so the statement journal bought nothing.
   */
  insertMany(rows: number): Statement<unknown[]> {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => "(?, '', ?, ?, ?, ?, ?)").join(', ');
      stmt = this.db.prepare(`INSERT OR FAIL INTO queue_messages (queue_id, message_id, body, attributes, sent_at, enqueued_at, visible_at) VALUES ${values}`);
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
