import Database from 'better-sqlite3';
import { join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { defaults } from '../../core/defaults.ts';
import { StoreError } from '../../core/errors.ts';
import { CheckpointPacer } from './checkpoint-pacer.ts';
import { preparePrivateState } from './private-files.ts';
import { WriteLock } from './write-lock.ts';

export type Db = Database.Database;

/**
 * `LIMIT +?`, not `LIMIT ?`: SQLite (3.53) reads a bare bound LIMIT while planning and marks the
 * statement to be prepared again whenever that parameter is bound, which is every run (about
 * 100,000 instructions each time: a tenth of a receive of 10 messages). The unary plus keeps the
 * value out of planning; the plan is the same.
 */
export const boundLimit = 'LIMIT +?';

export interface OpenDbOptions {
  /** 'normal' survives a process crash (the WAL is in the OS cache); 'full' also survives power loss. */
  durability?: 'normal' | 'full';
  busyTimeoutMs?: number;
}

/** How the state file is stored and synced (also the csv-pipeline bench's plain-SQLite floor). */
export function setStorage(db: Db, durability: OpenDbOptions['durability'] = 'normal'): void {
  // 4 KiB pages (SQLite's default; only takes effect on a new file). 16 KiB pages wrote fewer WAL
  // pages per queue batch but more bytes: at batch 100 a message wrote 3.3 KiB, and the fsync of
  // those bytes at checkpoints dominated (npm run bench -- queue, quiet machine: 90k msg/s at
  // 16 KiB, 104k at 4 KiB; batch 10: 26k and 35k).
  db.pragma('page_size = 4096');
  db.pragma('journal_mode = WAL');
  // Checkpoint less often: fewer syncs per write; readers are unaffected in WAL mode.
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
}

/**
 * The format of the local state files, kept in each file's user_version: raised when a change
 * means an older Baton would misread what this one writes, so that it refuses the file instead
 * (from this format on; a Baton from before formats existed reads every file as format 0).
 *   1  a queue message body over 1,024 characters is kept in queue_bodies; its row holds ''.
 */
export const stateFormat = 1;

/**
 * Opens (creating if needed) a SQLite file of the local state (`name` in `dir`), in WAL mode so
 * readers never block the writer, and applies every store's schema. Schemas are idempotent
 * (CREATE ... IF NOT EXISTS) so opening an existing file is safe. The directory is made 0700
 * and the file 0600 (private-files.ts): it holds logs and params.
 */
export function openDb(dir: string, schemas: readonly string[], options: OpenDbOptions = {}, name = 'state.db'): Db {
  let db: Db;
  try {
    preparePrivateState(dir, join(dir, name));
    db = new Database(join(dir, name));
  } catch (cause) {
    throw new StoreError(`Cannot open the local state in ${dir}.`, { action: 'Check that the directory is writable, or set BATON_DIR to another one.', cause });
  }
  setStorage(db, options.durability);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? defaults.store.busyTimeoutMs}`);
  db.pragma('foreign_keys = ON');
  const file = resolve(dir, name);
  queueWrites(db, WriteLock.forFile(file), CheckpointPacer.forFile(file, defaults.store.checkpointIntervalMs));
  try {
    // The format is read and stamped in the write transaction: another process stamping a newer
    // one between a read and the stamp would otherwise be overwritten.
    db.transaction(() => {
      const found = db.pragma('user_version', { simple: true }) as number;
      if (found > stateFormat) {
        throw new StoreError(`The local state file ${join(dir, name)} was written by a newer Baton (state format ${found}; this Baton reads format ${stateFormat} and older).`, {
          action: 'Upgrade Baton to the version that wrote it, or point BATON_DIR at another directory.',
        });
      }
      for (const ddl of schemas) db.exec(ddl);
      if (found < stateFormat) db.pragma(`user_version = ${stateFormat}`);
    }).immediate();
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

const locks = new WeakMap<Db, WriteLock>();

/**
 * Runs `write` (an IMMEDIATE transaction of `db`) once the write lock is free, waiting for it
 * without blocking the thread: for the engine's thread, which serves every trigger and must not
 * sit in Atomics.wait behind a worker's group commit for a small write of its own (a stream
 * position). It takes the lock only when no one holds it or is queued for it; after `maxWaitMs`
 * it queues up as any write does (and blocks), so it is never starved.
 */
export async function writeWhenFree<R>(db: Db, write: () => R, maxWaitMs: number = defaults.store.writeWhenFreeMaxWaitMs): Promise<R> {
  const lock = locks.get(db);
  if (!lock || db.inTransaction) return write();
  const until = performance.now() + maxWaitMs;
  while (!lock.tryAcquire()) {
    const left = until - performance.now();
    if (left <= 0) return write();
    await lock.handedOn(Math.min(left, defaults.store.writeLockPollMs));
  }
  try {
    return write(); // the transaction sees this thread holding the lock and does not take it again
  } finally {
    lock.release();
  }
}

/**
 * Makes every IMMEDIATE or EXCLUSIVE transaction of this connection take the process's write lock
 * first (write-lock.ts), so threads writing the same file queue up instead of sleeping in SQLite's
 * busy handler. A transaction nested in another (a SAVEPOINT) is already inside the lock.
 */
function queueWrites(db: Db, lock: WriteLock, checkpoints: CheckpointPacer): void {
  locks.set(db, lock);
  const make = db.transaction.bind(db);
  const locked =
    <A extends unknown[], R>(run: (...args: A) => R) =>
    (...args: A): R => {
      if (db.inTransaction) return run(...args);
      const took = lock.acquire();
      try {
        return run(...args);
      } finally {
        if (took) lock.release();
        // Checkpoint here, with the lock free: its fsync (~0.3 s for a 160 MB WAL on this disk)
        // then stalls only this thread, where the automatic checkpoint at commit stalled every
        // writer queued behind it. By time, not by commits: many small transactions must not mean
        // many fsyncs. The automatic checkpoint (wal_autocheckpoint) stays as the backstop.
        // Not on the main thread: there the engine serves every trigger, and a checkpoint's fsync
        // stalled all of them (issue 15 profile: 1.1 s on 100,000 rows); the worker threads'
        // commits checkpoint instead, and a process without workers has the backstop.
        if (!isMainThread && checkpoints.claim()) db.pragma('wal_checkpoint(PASSIVE)');
      }
    };
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = make(fn);
    return Object.assign((...args: unknown[]) => tx(...args), {
      default: tx.default,
      deferred: tx.deferred,
      immediate: locked(tx.immediate),
      exclusive: locked(tx.exclusive),
    });
  }) as Db['transaction'];
}
