/**
 * Schedules, params and tables: GET /api/schedules (expression, time zone, target, the next three
 * fire times, the last tick from the engine's durable state), GET /api/params (every parameter
 * under the app's paths, SecureString values masked), GET /api/tables (keys and each stream's
 * consumers with how far behind they are), GET /api/tables/:name/items (a page, by partition with
 * ?pk= or a scan).
 */
import { defaults } from '../../../core/defaults.ts';
import { NotFoundError, ValidationError, show } from '../../../core/errors.ts';
import { nextFireTimes } from '../../../core/schedule/index.ts';
import type { Key } from '../../../ports/tables.ts';
import type { DashboardDeps } from '../context.ts';
import type { Router } from '../router.ts';

const MASK = '********';
const LAG_CAP = 1000;

function encodeKey(key: Key | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

function decodeKey(cursor: string, where: string): Key {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof key === 'object' && key !== null && !Array.isArray(key) && Object.values(key).every((v) => typeof v === 'string' || typeof v === 'number')) return key as Key;
  } catch {
    // reported below
  }
  throw new ValidationError(`${where}: ?cursor=${show(cursor)} is not one this endpoint handed out.`, { action: 'Pass the `next` of the previous page unchanged, or leave cursor out.' });
}

export function configRoutes(router: Router, deps: DashboardDeps): void {
  const { app } = deps;

  router.get('/api/schedules', async () => {
    const now = deps.now();
    const items = await Promise.all(
      app.spec.schedules.map(async (s) => {
        const state = await app.backend.params.find(`/baton/schedules/${s.name}`).catch(() => undefined);
        let lastTick: number | undefined;
        try {
          const v = state ? (JSON.parse(state.value) as { last?: unknown }) : undefined;
          if (typeof v?.last === 'number' && v.last > 0) lastTick = v.last;
        } catch {
          // an unreadable state shows no last tick
        }
        return {
          name: s.name,
          expression: s.source,
          timezone: s.timezone,
          enabled: s.enabled,
          target: s.target ? Object.entries(s.target).map(([k, v]) => `${k}:${String(v)}`).join('') : null,
          nextFires: s.enabled ? nextFireTimes(s.expression, { after: now, timezone: s.timezone, count: 3 }) : [],
          ...(lastTick !== undefined ? { lastTick } : {}),
        };
      }),
    );
    return { items };
  });

  router.get('/api/params', async () => {
    const items = [];
    for (const ns of app.spec.params) {
      for (const p of await app.backend.params.getByPath(ns.path, { recursive: true, withDecryption: false })) {
        items.push({ path: p.name, type: p.type, version: p.version, lastModified: p.lastModified, value: p.type === 'SecureString' ? MASK : p.value, ...(p.description ? { description: p.description } : {}) });
      }
    }
    return { items };
  });

  router.get('/api/tables', async () => {
    const items = await Promise.all(
      app.spec.tables.map(async (t) => {
        const consumers = app.spec.fns.filter((f) => f.triggers.some((tr) => tr.kind === 'stream' && tr.table === t.name));
        const stream = t.stream
          ? {
              viewType: t.stream.viewType,
              consumers: await Promise.all(
                consumers.map(async (f) => {
                  const pending = await app.backend.tables.readStream(t.name, `fn:${f.name}`, { limit: LAG_CAP }).catch(() => undefined);
                  return { fn: f.name, consumer: `fn:${f.name}`, ...(pending ? { lag: pending.length, lagCapped: pending.length >= LAG_CAP, ...(pending[0] ? { position: pending[0].sequence - 1 } : {}) } : {}) };
                }),
              ),
            }
          : undefined;
        return { name: t.name, partitionKey: t.partitionKey.name, ...(t.sortKey ? { sortKey: t.sortKey.name } : {}), ...(stream ? { stream } : {}) };
      }),
    );
    return { items };
  });

  router.get('/api/tables/:name/items', async ({ params, query }) => {
    const t = app.spec.tables.find((x) => x.name === params.name);
    if (!t) throw new NotFoundError(`Table ${show(params.name)} is not declared by app "${app.spec.name}".`, { action: `Pick one of: ${app.spec.tables.map((x) => x.name).join(', ') || 'none'}.` });
    const where = `GET /api/tables/${t.name}/items`;
    const limit = query.limit(defaults.dashboard.pageSize, defaults.dashboard.maxPageSize);
    const cursor = query.string('cursor');
    const start = cursor ? { exclusiveStartKey: decodeKey(cursor, where) } : {};
    const pk = query.string('pk');
    let partition: string | number | undefined = pk;
    if (pk !== undefined && t.partitionKey.type === 'number') {
      partition = Number(pk);
      if (!Number.isFinite(partition)) throw new ValidationError(`${where}: ?pk=${show(pk)} must be a number (the partition key "${t.partitionKey.name}" is numeric).`);
    }
    const page = partition !== undefined ? await app.backend.tables.query(t.name, { partition, limit, ...start }) : await app.backend.tables.scan(t.name, { limit, ...start });
    return { items: page.items, next: encodeKey(page.lastEvaluatedKey) };
  });
}
