/**
 * The lake: GET /api/lake/tables (catalog tables with their partition, row and byte totals),
 * GET /api/lake/tables/:name/partitions, POST /api/lake/query (one read-only statement over the
 * catalog, as the app's query() runs it, parameters bound, at most 1,000 rows back: a SELECT is
 * wrapped in a LIMIT so a large result is never read whole).
 */
import { defaults } from '../../../core/defaults.ts';
import { NotFoundError, ValidationError, show } from '../../../core/errors.ts';
import { Catalog, type CatalogTable } from '../../../data/catalog/index.ts';
import type { DashboardDeps } from '../context.ts';
import type { Router } from '../router.ts';
import { checkReadOnly } from '../sql-guard.ts';

export function lakeRoutes(router: Router, deps: DashboardDeps): void {
  // The catalog if its bucket exists. Not Catalog.open, which declares the bucket when it is
  // missing: reading the dashboard must not create anything (on aws that was a CreateBucket in the
  // user's account, refused outright with read-only credentials).
  const catalog = async (): Promise<Catalog | undefined> => {
    const cat = new Catalog(deps.app.backend.objects);
    try {
      await cat.objects.list(cat.bucket, { maxKeys: 1 });
      return cat;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined; // no catalog bucket: no lake yet
      throw err;
    }
  };

  router.get('/api/lake/tables', async () => {
    const cat = await catalog();
    if (!cat) return { items: [] };
    const items = [];
    for (const t of await cat.listTables()) {
      const parts = await cat.partitions(t.name);
      items.push({ name: t.name, location: `${t.location.bucket}/${t.location.prefix}`, partitionKeys: t.partitionKeys, columns: t.columns, partitions: parts.length, rows: parts.reduce((a, p) => a + p.rows, 0), bytes: parts.reduce((a, p) => a + p.bytes, 0), updatedAt: Math.max(t.updatedAt, ...parts.map((p) => p.updatedAt)) });
    }
    return { items };
  });

  router.get('/api/lake/tables/:name/partitions', async ({ params }) => {
    const cat = await catalog();
    const name = params.name!;
    if (!cat || !(await cat.listTables()).some((t) => t.name === name)) throw new NotFoundError(`Lake table ${show(name)} is not in the catalog.`, { action: 'Pick one from GET /api/lake/tables.' });
    const parts = await cat.partitions(name);
    return { items: parts.map((p) => ({ partition: p.values, key: Object.entries(p.values).map(([k, v]) => `${k}=${v}`).join('/'), rows: p.rows, bytes: p.bytes, files: p.files.length, updatedAt: p.updatedAt })) };
  });

  router.post('/api/lake/query', async ({ body }) => {
    const { sql, wrappable } = checkReadOnly(body.string('sql', 100_000));
    const raw = body.value.params;
    if (raw !== undefined && raw !== null && !Array.isArray(raw) && typeof raw !== 'object') throw new ValidationError(`POST /api/lake/query: field "params" must be an array (for ?) or an object (for $name); got ${show(raw)}.`);
    const params = (raw ?? []) as unknown[] | Record<string, unknown>;
    const max = defaults.dashboard.maxQueryRows;
    const started = performance.now();
    const text = wrappable ? `SELECT * FROM (${sql}\n) AS baton_query LIMIT ${max + 1}` : sql;
    // Over the catalog catalog() found, not through app.query(), which would list its bucket a second
    // time (Catalog.open) and make it when there is no lake yet: then the query runs over no tables.
    const { query } = await import('../../../data/query.ts');
    const result = await query((await catalog()) ?? new NoTables(deps.app.backend.objects), text, params);
    const ms = Math.round(performance.now() - started);
    const truncated = result.rows.length > max;
    return { columns: result.columns, rows: result.rows.slice(0, max).map((r) => result.columns.map((c) => r[c] ?? null)), truncated, ms };
  });
}

/** The catalog of an app with no lake yet (no catalog bucket): no tables. */
class NoTables extends Catalog {
  override listTables(): Promise<CatalogTable[]> {
    return Promise.resolve([]);
  }
}
