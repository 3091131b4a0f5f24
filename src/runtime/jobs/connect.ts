/**
 * The handler side's way to the job store (and, for large step results, the object store) from
 * inside a worker thread or a container child. See backends/local/jobs/connect.ts for why the
 * handler process writes its own checkpoints instead of messaging the parent.
 */
import { connectLocalJobs } from '../../backends/local/jobs/connect.ts';
import { LocalObjectStore } from '../../backends/local/objects/store.ts';
import { ValidationError } from '../../core/errors.ts';
import type { JobStore, JobStoreConnection } from '../../ports/jobs.ts';
import type { ObjectStore } from '../../ports/objects.ts';

export interface JobConnection {
  store: JobStore;
  /** Opened on first use: only large step results need it. */
  objects(): ObjectStore;
}

const objectStores = new Map<string, ObjectStore>();

export function connectJobs(conn: JobStoreConnection): JobConnection {
  if (conn.kind !== 'local') throw new ValidationError(`job connection kind ${JSON.stringify((conn as { kind: unknown }).kind)} is not supported here.`, { action: "Run the job on the backend that started it ('local')." });
  const { store, ctx } = connectLocalJobs(conn.dir);
  return {
    store,
    objects() {
      let found = objectStores.get(conn.dir);
      if (!found) objectStores.set(conn.dir, (found = new LocalObjectStore(ctx)));
      return found;
    },
  };
}
