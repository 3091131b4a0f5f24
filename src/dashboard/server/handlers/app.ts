/** GET /api/app: the app as a graph with live counts on its nodes (the version served now: see DashboardServer.setApp). */
import { nodeCounts } from '../counts.ts';
import type { DashboardDeps } from '../context.ts';
import { appGraph } from '../graph.ts';
import type { Router } from '../router.ts';

/** The app served now as a graph with each node's counts: GET /api/app, and the `app` event when it changes. */
export async function appPayload(deps: DashboardDeps) {
  const { app } = deps;
  const graph = appGraph(app.spec);
  const counts = await nodeCounts(app, deps.now());
  return { name: app.spec.name, backend: app.backend.name, nodes: graph.nodes.map((n) => ({ ...n, counts: counts.get(n.id) ?? {} })), edges: graph.edges };
}

export function appRoutes(router: Router, deps: DashboardDeps): void {
  router.get('/api/app', () => appPayload(deps));
}
