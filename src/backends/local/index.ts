import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { defaults } from '../../core/defaults.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Clock } from '../../ports/clock.ts';
import { systemClock } from './clock.ts';
import type { LocalContext } from './context.ts';
import { openDb, type OpenDbOptions } from './db.ts';
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
  readonly context: LocalContext;
}

const schemas = [queuesSchema, objectsSchema, paramsSchema, tablesSchema, topicsSchema, runsSchema, jobsSchema, firehoseSchema].filter((s) => s.trim() !== '');

/** Opens the embedded backend: one SQLite file in WAL mode plus a filesystem object store. */
export function openLocal(options: LocalBackendOptions = {}): LocalBackend {
  const dir = resolve(options.dir ?? process.env[defaults.store.dirEnv] ?? defaults.store.dir);
  const db = openDb(dir, schemas, options);
  const signals = new EventEmitter();
  signals.setMaxListeners(0);
  const context: LocalContext = { db, clock: options.clock ?? systemClock, dir, signals };
  const objects = new LocalObjectStore(context);
  const topics = new LocalTopicStore(context);
  let closed = false;
  return {
    name: 'local',
    context,
    clock: context.clock,
    objects,
    queues: new LocalQueueStore(context),
    params: new LocalParamStore(context, options.paramsKey === undefined ? {} : { key: options.paramsKey }),
    tables: new LocalTableStore(context),
    topics,
    runs: new LocalRunStore(context),
    firehose: new LocalFirehoseStore(context),
    jobs: new LocalJobStore(context),
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
    },
  };
}

export { systemClock } from './clock.ts';
