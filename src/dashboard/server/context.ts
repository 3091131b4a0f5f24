/** What every handler reaches: the open app (through the composition root) and the server's own state. */
import type { App } from '../../root/open-app.ts';
import type { QueueSampler } from './sampler.ts';

export interface DashboardDeps {
  /** The app served now; DashboardServer.setApp replaces it (baton dev, after a saved config is applied). Read it per request. */
  app: App;
  sampler: QueueSampler;
  /** Work started by an action that outlives its request (a retried run); close() waits for it. */
  track(work: Promise<unknown>): void;
  now(): number;
}
