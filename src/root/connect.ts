/**
 * connect(): the backend a handler uses to reach its app's resources (objects, queues, tables,
 * params, topics): the one its runtime runs on, named by the environment the executor gives every
 * handler (Backend.handlerEnv: BATON_BACKEND, plus BATON_DIR for local, AWS_REGION,
 * AWS_ENDPOINT_URL_* and BATON_AWS_PREFIX for aws). Opened once per process or worker and kept,
 * like an SDK client created outside the handler on Lambda.
 *
 *   import { connect } from 'baton/handler';
 *   export const handler = async (event) => {
 *     const { tables } = connect();
 *     await tables.put('orders', { id: event.id });
 *   };
 *
 * Why connect() stays synchronous while backends load by dynamic import: this module loads the
 * backend named in BATON_BACKEND with a top-level await, so by the time a handler module that
 * imports it has loaded, the backend's module has too and opening it (openLocal, openAws: both
 * synchronous) needs no await. Only that one backend loads (an aws handler never loads SQLite),
 * and where BATON_BACKEND is not set (the CLI reading baton.config.ts, a test importing `app`)
 * nothing loads at all. Handlers keep calling connect() synchronously, as they always did.
 */
import { defaults } from '../core/defaults.ts';
import { StoreError } from '../core/errors.ts';
import type { Backend } from '../ports/backend.ts';
import { loadedBackend, loadForHandlers } from './handler-side.ts';

const named = process.env[defaults.store.backendEnv];
// A backend that fails to load (an unknown name, a missing SDK package) fails connect(), not the import.
let loadError: unknown;
if (named) {
  try {
    await loadForHandlers(named);
  } catch (err) {
    loadError = err;
  }
}

let current: Backend | undefined;

export function connect(): Backend {
  if (current) return current;
  const name = process.env[defaults.store.backendEnv] ?? 'local';
  const entry = loadedBackend(name);
  if (!entry) {
    if (loadError && name === named) throw loadError;
    throw new StoreError(`connect(): the "${name}" backend is not loaded in this process${process.env[defaults.store.backendEnv] ? '' : ` (${defaults.store.backendEnv} is not set)`}.`, {
      action: `Handlers run by Baton get ${defaults.store.backendEnv} from the executor. Elsewhere, call \`await prepareConnect()\` once before connect(), or use openApp(spec).backend.`,
    });
  }
  current = entry.openFromEnv(process.env);
  return current;
}

/** Loads the backend connect() will open (BATON_BACKEND, default local), for code that runs outside Baton's executors. */
export async function prepareConnect(name: string = process.env[defaults.store.backendEnv] ?? 'local'): Promise<void> {
  await loadForHandlers(name);
}
