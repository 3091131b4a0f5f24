import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import { defaults } from '../../core/defaults.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Clock } from '../../ports/clock.ts';
import { systemClock } from './clock.ts';
import type { LocalContext } from './context.ts';
import { openDb, type Db, type OpenDbOptions } from './db.ts';
import { LocalFirehoseStore } from './firehose/store.ts';
import { schema as firehoseSchema } from './firehose/schema.ts';
import { LocalJobStore } from './jobs/store.ts';
import { schema as jobsSchema } from './jobs/schema.ts';
import { LocalObjectStore } from './objects/store.ts';
import { schema as objectsSchema } from './objects/schema.ts';
import { LocalParamStore } from './params/store.ts';
import { schema as paramsSchema } from './params/schema.ts';
import { LocalQueueStore } from './queues/store.ts';
import { schema as queuesSchema } from './queues/schema.ts';
import { LocalRunStore } from './runs/store.ts';
import { schema as runsSchema } from './runs/schema.ts';
import { moveTablesOut } from './tables/move-out.ts';
import { LocalTableStore } from './tables/store.ts';
import { schema as tablesSchema } from './tables/schema.ts';
import { LocalTopicStore } from './topics/store.ts';
import { schema as topicsSchema } from './topics/schema.ts';

export interface LocalBackendOptions extends OpenDbOptions {
  /** State directory; default $BATON_DIR or .baton. */
  dir?: string;
  clock?: Clock;
  /** 32-byte key for SecureString parameters; default $BATON_PARAMS_KEY or a generated key file. */
  paramsKey?: Buffer;
}

export interface LocalBackend extends Backend {
  /** Every store but the tables: state.db. */
  readonly context: LocalContext;
  /** The tables store's: tables.db (tables/move-out.ts says why a file of its own). */
  readonly tablesContext: LocalContext;
}

const schemas = [queuesSchema, objectsSchema, paramsSchema, topicsSchema, runsSchema, jobsSchema, firehoseSchema].filter((s) => s.trim() !== '');

/**
 * Opens the embedded backend: two SQLite files in WAL mode, state.db (queues, objects, params,
 * topics, runs, jobs, firehose) and tables.db (the tables and their streams), each with its own
 * writer, plus a filesystem object store.
 */
export function openLocal(options: LocalBackendOptions = {}): LocalBackend {
  const dir = resolve(options.dir ?? process.env[defaults.store.dirEnv] ?? defaults.store.dir);
  const db = openDb(dir, schemas, options);
  let tablesDb: Db;
  try {
    tablesDb = openDb(dir, [tablesSchema], options, 'tables.db');
  } catch (err) {
    db.close();
    throw err;
  }
  moveTablesOut(db, join(dir, 'tables.db'));
  const signals = new EventEmitter();
  signals.setMaxListeners(0);
  const context: LocalContext = { db, clock: options.clock ?? systemClock, dir, signals };
  const tablesContext: LocalContext = { ...context, db: tablesDb };
  const objects = new LocalObjectStore(context);
  const topics = new LocalTopicStore(context);
  let closed = false;
  // Every local store writes synchronously when called, so the writes `work` starts land in this
  // one IMMEDIATE transaction (each store's own transaction becomes a savepoint inside it).
  const together = db.transaction((work: () => void) => work()).immediate;
  return {
    name: 'local',
    context,
    tablesContext,
    clock: context.clock,
    objects,
    queues: new LocalQueueStore(context),
    params: new LocalParamStore(context, options.paramsKey === undefined ? {} : { key: options.paramsKey }),
    tables: new LocalTableStore(tablesContext),
    topics,
    runs: new LocalRunStore(context),
    firehose: new LocalFirehoseStore(context),
    jobs: new LocalJobStore(context),
    together,
    handlerEnv: {
      [defaults.store.backendEnv]: 'local',
      [defaults.store.dirEnv]: dir,
      ...(options.paramsKey ? { [defaults.params.keyEnv]: options.paramsKey.toString('base64') } : {}),
    },
    async close() {
      if (closed) return;
      closed = true;
      // Pending deliveries stay recorded and resume on the next open; waiting out webhook retries here would stall shutdown.
      await topics.stop();
      db.close();
      tablesDb.close();
    },
  };
}

export { systemClock } from './clock.ts';
