import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Lease, leasePath } from '../../src/runtime/lease/lease.ts';
import { leaseTable, leaseTableConfig } from '../../src/runtime/lease/table.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
afterEach(() => t.close());

describe('Lease (compare-and-set in the baton-leases table)', () => {
  it('one holder at a time; taken over after the ttl with a new token; the old holder is fenced out', async () => {
    t = makeLocalBackend();
    const path = leasePath('streams', 'items', 'fn:ddb');
    expect(path).toBe('/baton/leases/streams/items/fn_ddb');
    expect(leasePath('jobs', 'x'.repeat(5000))).toMatch(/^\/baton\/leases\/jobs\/x{100}\.[0-9a-f]{32}$/);
    const a = new Lease(t.backend.tables, t.clock, path, 30_000, 'test');
    const b = new Lease(t.backend.tables, t.clock, path, 30_000, 'test');
    expect(await a.acquire()).toBe(true);
    expect(a.token).toBe(1);
    expect(await b.acquire()).toBe(false);
    await t.clock.advance(15_000);
    expect(await a.renew()).toBe(true);
    await t.clock.advance(25_000);
    expect(await b.acquire()).toBe(false);
    expect(a.valid()).toBe(false);
    await t.clock.advance(6000);
    expect(await b.acquire()).toBe(true);
    expect(b.token).toBe(2);
    expect(await a.confirm()).toBe(false);
    expect(a.lost.aborted).toBe(true);
    expect(b.valid()).toBe(true);
    await b.release();
    expect(await a.acquire()).toBe(true);
    expect(a.token).toBe(3);
    await a.release({ finished: true });
    expect(await t.backend.tables.get(leaseTable, { name: path })).toBeUndefined();
  });

  it('a lease held by a process of this host that has died is taken at once', async () => {
    t = makeLocalBackend();
    const child = spawnSync(process.execPath, ['-e', '']);
    const path = leasePath('maps', 'm');
    await t.backend.tables.declare(leaseTableConfig);
    await t.backend.tables.put(leaseTable, { name: path, holder: 'gone', token: 4, expiresAt: t.clock.now() + 30_000, host: hostname(), pid: child.pid, version: 7 });
    const a = new Lease(t.backend.tables, t.clock, path, 30_000, 'test');
    expect(await a.acquire()).toBe(true);
    expect(a.token).toBe(5);
    const b = new Lease(t.backend.tables, t.clock, path, 30_000, 'test');
    expect(await b.acquire()).toBe(false);
  });
});
