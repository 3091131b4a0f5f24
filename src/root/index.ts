/**
 * 'baton/root': the composition root, for code that runs an app (scripts, tests, servers).
 *   import { openApp } from 'baton/root';
 * A subpath of its own so that `import { app } from 'baton'` (definitions) never loads a backend.
 */
export { openApp, type App, type AppEngineOptions, type OpenAppOptions } from './open-app.ts';
export { backendName, backendNames, loadBackend, type BackendName, type BackendEntry, type BackendOptionsByName } from './registry.ts';
export { connect, prepareConnect } from './connect.ts';
export type { ProvisionReport } from '../runtime/provision.ts';
