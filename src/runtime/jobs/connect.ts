/**
 * The handler side's way to the job store (and, for large step results, the object store) from
 * inside a worker thread or a container child. The runtime knows no backend: the composition root
 * (src/root/handler-side.ts, loaded by the worker and container entries) sets the connector that
 * opens the store a relay's connection names. See backends/local/jobs/connect.ts for why the
 * handler process writes its own checkpoints instead of messaging the parent.
 */
import { defaults } from '../../core/defaults.ts';
import { StoreError } from '../../core/errors.ts';
import type { JobStoreConnection, JobStoreHandle } from '../../ports/jobs.ts';

export type JobConnection = JobStoreHandle;

export interface JobConnector {
  connect(conn: JobStoreConnection): Promise<JobStoreHandle>;
  /** Loads what connect() will need for `backend`, ahead of the first relay. */
  warm(backend: string): Promise<unknown>;
}

// On globalThis, not in module variables: a handler may load Baton through another path (its own
// node_modules/baton) than the entry that set the connector, and both must see the same one.
const slot = Symbol.for('baton.jobConnector');
const holder = globalThis as { [slot]?: { connector?: JobConnector; warming: Array<Promise<unknown>> } };
const wiring = (holder[slot] ??= { warming: [] });

export function setJobConnector(connector: JobConnector): void {
  wiring.connector = connector;
}

/**
 * Called by job() as a handler module wraps its function: starts loading the job store of the
 * backend this process runs on, so the load counts as the function's cold start (as a static
 * import would) and not against the first relay's time limit.
 */
export function warmJobs(): void {
  const backend = process.env[defaults.store.backendEnv] ?? 'local';
  if (wiring.connector) wiring.warming.push(wiring.connector.warm(backend).catch(() => undefined));
}

/** Waits for what warmJobs() started; the executor calls it once a handler module has loaded. */
export async function jobsWarmed(): Promise<void> {
  await Promise.all(wiring.warming.splice(0));
}

export async function connectJobs(conn: JobStoreConnection): Promise<JobConnection> {
  if (!wiring.connector) {
    throw new StoreError(`a job relay cannot reach its job store (backend ${JSON.stringify(conn.backend)}): nothing in this process opens one.`, { action: "Run job handlers through Baton's executors (their worker and container entries set it up), or import 'baton/handler' in the handler module." });
  }
  return wiring.connector.connect(conn);
}
