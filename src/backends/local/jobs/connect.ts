/**
 * Opens the local job store from a handler process (a worker thread or a container child).
 *
 * Why the handler opens the SQLite file itself rather than messaging the parent: a checkpoint must
 * be durable when checkpoint() returns, and be cheap enough to call per item. A direct write is one
 * prepared UPDATE (tens of microseconds) with no protocol change to either executor; a message to
 * the parent would need a round trip with an acknowledgement to be durable, and would make the
 * container child and the worker thread each need a new message type. The relay fence in the
 * store keeps a killed relay's late write from landing. On AWS the same holds: a Lambda writes its
 * checkpoint to DynamoDB itself.
 *
 * One connection per process and state directory, opened on first use and kept.
 */
import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { defaults } from '../../../core/defaults.ts';
import { ValidationError } from '../../../core/errors.ts';
import type { JobStoreHandle } from '../../../ports/jobs.ts';
import type { ObjectStore } from '../../../ports/objects.ts';
import { systemClock } from '../clock.ts';
import type { LocalContext } from '../context.ts';
import { LocalObjectStore } from '../objects/store.ts';
import { LocalJobStore } from './store.ts';

const open = new Map<string, { store: LocalJobStore; ctx: LocalContext }>();

export function connectLocalJobs(dir: string): { store: LocalJobStore; ctx: LocalContext } {
  const found = open.get(dir);
  if (found) return found;
  const db = new Database(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${defaults.store.busyTimeoutMs}`);
  const ctx: LocalContext = { db, clock: systemClock, dir, signals: new EventEmitter() };
  const made = { store: new LocalJobStore(ctx), ctx };
  open.set(dir, made);
  return made;
}

const objectStores = new Map<string, ObjectStore>();

/** The handler side's job store from a relay's connection env (JobStore.connection()): the state directory in BATON_DIR. */
export function localJobConnection(env: Readonly<Record<string, string | undefined>>): JobStoreHandle {
  const dir = env[defaults.store.dirEnv];
  if (!dir) throw new ValidationError(`the local job connection names no state directory (${defaults.store.dirEnv}).`, { action: 'Start the job through Baton (a job runner on a local backend), which passes it.' });
  const { store, ctx } = connectLocalJobs(dir);
  return {
    store,
    objects() {
      let found = objectStores.get(dir);
      if (!found) objectStores.set(dir, (found = new LocalObjectStore(ctx)));
      return found;
    },
  };
}
