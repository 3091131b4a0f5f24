/**
 * The handler side's way to the job store (and, for large step results, the object store) from
 * inside a worker thread or a container child. The runtime knows no backend: the composition root
 * (src/root/handler-side.ts, loaded by the worker and container entries) sets the connector that
 * opens the store a relay's connection names. See backends/local/jobs/connect.ts for why the
 * handler process writes its own checkpoints instead of messaging the parent.
 */
import { StoreError } from '../../core/errors.ts';
import type { JobStoreConnection, JobStoreHandle } from '../../ports/jobs.ts';

export type JobConnection = JobStoreHandle;
export type JobConnector = (conn: JobStoreConnection) => Promise<JobStoreHandle>;

// On globalThis, not in a module variable: a handler may load Baton through another path (its own
// node_modules/baton) than the entry that set the connector, and both must see the same one.
const slot = Symbol.for('baton.jobConnector');
const holder = globalThis as { [slot]?: JobConnector };

export function setJobConnector(connector: JobConnector): void {
  holder[slot] = connector;
}

export async function connectJobs(conn: JobStoreConnection): Promise<JobConnection> {
  const connector = holder[slot];
  if (!connector) {
    throw new StoreError(`a job relay cannot reach its job store (backend ${JSON.stringify(conn.backend)}): nothing in this process opens one.`, { action: "Run job handlers through Baton's executors (their worker and container entries set it up), or import 'baton/handler' in the handler module." });
  }
  return connector(conn);
}
