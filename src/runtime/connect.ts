import { openLocal } from '../backends/local/index.ts';
import { defaults } from '../core/defaults.ts';
import { StoreError } from '../core/errors.ts';
import type { Backend } from '../ports/backend.ts';

let current: Backend | undefined;

/**
 * The backend a handler uses to reach its app's resources (objects, queues, tables, params,
 * topics): the one its runtime runs on, named by the environment the executor gives every handler
 * (Backend.handlerEnv). Opened once per process or worker and kept, like an SDK client created
 * outside the handler on Lambda.
 *
 *   import { connect } from 'baton';
 *   export const handler = async (event) => {
 *     const { tables } = connect();
 *     await tables.put('orders', { id: event.id });
 *   };
 */
export function connect(): Backend {
  if (current) return current;
  const kind = process.env[defaults.store.backendEnv] ?? 'local';
  if (kind !== 'local') {
    throw new StoreError(`connect(): unknown backend "${kind}" in ${defaults.store.backendEnv}.`, { action: "Run the handler through Baton (baton dev, invoke or a test engine), or set BATON_BACKEND=local." });
  }
  current = openLocal();
  return current;
}
