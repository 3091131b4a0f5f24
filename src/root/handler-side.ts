/**
 * The composition root inside a handler's process (a worker thread or a container child): the
 * backend modules loaded here so connect() can open one synchronously, and the connector job()
 * uses to reach a relay's job store. The executor's worker and container entries import this
 * module before the handler loads, so jobs work whatever the handler itself imports.
 */
import { setJobConnector } from '../runtime/jobs/connect.ts';
import { loadBackend, loadJobStore, type BackendEntry } from './registry.ts';

// Shared through globalThis: a handler may load Baton through another path (its project's
// node_modules/baton) than the entry did, and both must see the same loaded backends.
const slot = Symbol.for('baton.handlerBackends');
const holder = globalThis as { [slot]?: Map<string, BackendEntry> };
const loaded = (holder[slot] ??= new Map<string, BackendEntry>());

/** Loads the backend module `name` into this process, so loadedBackend(name) finds it. */
export async function loadForHandlers(name: string): Promise<BackendEntry> {
  const found = loaded.get(name);
  if (found) return found;
  const entry = await loadBackend(name);
  loaded.set(name, entry);
  return entry;
}

/** The backend module `name` if this process has loaded it. */
export function loadedBackend(name: string): BackendEntry | undefined {
  return loaded.get(name);
}

setJobConnector({
  connect: async (conn) => (await loadJobStore(conn.backend))(conn.env),
  warm: (backend) => loadJobStore(backend),
});
