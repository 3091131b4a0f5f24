// A backend without localPath (S3 later): every DuckDB input is first copied to a temp file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Catalog } from '../../src/data/catalog/index.ts';
import { compact } from '../../src/data/compact/index.ts';
import { query } from '../../src/data/query.ts';
import { standardize } from '../../src/data/standardize/index.ts';
import type { ObjectStore } from '../../src/ports/objects.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
let objects: ObjectStore;
beforeEach(async () => {
  t = makeLocalBackend();
  const o = t.backend.objects;
  // Every method but localPath, bound to the real store.
  objects = {
    declare: o.declare.bind(o),
    list: o.list.bind(o),
    put: o.put.bind(o),
    get: o.get.bind(o),
    getStream: o.getStream.bind(o),
    head: o.head.bind(o),
    delete: o.delete.bind(o),
    copy: o.copy.bind(o),
    pendingEvents: o.pendingEvents.bind(o),
    ackEvents: o.ackEvents.bind(o),
  };
  await objects.declare({ name: 'lake', notifications: [] });
});
afterEach(async () => t.close());

describe('the data plane on a store without local paths', () => {
  it('standardizes, compacts and queries through temp copies', async () => {
    const schema = z.object({ id: z.int(), amount: z.number() });
    for (let f = 0; f < 2; f++) {
      const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: f * 100 + i, amount: 1.5 }));
      await objects.put('lake', `raw/2026/01/01/07/f${f}.jsonl`, lines.join('\n'));
      const r = await standardize(objects, { source: { bucket: 'lake', key: `raw/2026/01/01/07/f${f}.jsonl` }, schema, output: { bucket: 'lake', key: `staging/2026/01/01/07/f${f}.parquet` }, rejected: { bucket: 'lake', key: `rejected/f${f}.jsonl` } });
      expect(r).toMatchObject({ read: 100, valid: 100, rejected: 0 });
    }
    const catalog = await Catalog.open(objects);
    const c = await compact(objects, { source: { bucket: 'lake', prefix: 'staging/' }, destination: { bucket: 'lake', prefix: 'events/' }, period: 'hour', completeness: { expected: 2 }, catalog: { catalog, table: 'events' } });
    expect(c.hours).toMatchObject([{ status: 'compacted', rows: 200 }]);
    const q = await query(catalog, 'SELECT count(*) AS n, sum(id) AS ids, sum(amount) AS amount FROM events WHERE hour = ?', [7]);
    expect(q.rows).toEqual([{ n: 200, ids: (199 * 200) / 2, amount: 300 }]);
  });
});
