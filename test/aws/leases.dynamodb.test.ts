/**
 * Leases and the engine registry on the aws backend live in Baton's DynamoDB table
 * `<prefix>baton-leases` (runtime/lease/table.ts), not in SSM: on the test servers, whose SSM
 * endpoint is a dead port, an engine registers and runs a stream trigger (which reads only while it
 * holds its lease), and two racing acquires of one lease are told apart by DynamoDB's conditional
 * put, exactly one winning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { app } from '../../src/core/app.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { table } from '../../src/core/resources/table.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { enginesPath } from '../../src/runtime/engine/registry.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { Lease, leasePath } from '../../src/runtime/lease/lease.ts';
import { leaseTable } from '../../src/runtime/lease/table.ts';
import { dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';
import { fixtures, lines, until } from '../runtime/engine-harness.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const skipReason = dynamoSkipReason();
const executor = createFunctionExecutor({ root: fixtures });
const dir = mkdtempSync(join(tmpdir(), 'baton-leases-aws-'));
afterAll(async () => {
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
});

let h: AwsHarness | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 2000 });
  await h?.close();
  engine = undefined;
  h = undefined;
});

describe.skipIf(skipReason !== undefined)(`leases on aws, without SSM${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  it('an engine registers and runs a stream trigger under its lease with no SSM to reach', async () => {
    h = makeAwsBackend();
    const out = join(dir, 'stream.jsonl');
    const spec = app('leases', [table('items', { partitionKey: 'id', stream: true }), fn('ddb', './ddb-stream.ts', { env: { OUT_FILE: out }, triggers: [{ table: 'items' }] })]);
    engine = await startEngine({ backend: h.backend, spec, executor });
    expect(engine.registryProblem()).toBeUndefined();
    for (const id of ['a', 'b', 'c']) await h.backend.tables.put('items', { id, n: 1 });
    const clock = h.clock;
    await until(() => lines(out).length >= 3, { clock, what: 'the stream records to reach the function', timeoutMs: 30_000 });
    expect(lines<{ id: string }>(out).map((l) => l.id).sort()).toEqual(['a', 'b', 'c']);
    expect(engine.errors).toEqual([]);
    // The reader's lease and the registry entry are items of <prefix>baton-leases, which the app's table list leaves out.
    const lease = await h.backend.tables.get(leaseTable, { name: leasePath('streams', 'items', 'fn:ddb') });
    expect(lease).toMatchObject({ token: 1, pid: process.pid, version: expect.any(Number) as number });
    expect(await h.backend.tables.get(leaseTable, { name: enginesPath })).toHaveProperty(engine.id);
    expect((await h.backend.tables.list()).map((t) => t.name)).toEqual(['items']);
  }, 60_000);

  it('of two processes racing for one lease on DynamoDB exactly one wins; the loser is fenced out', async () => {
    h = makeAwsBackend();
    const path = leasePath('jobs', 'race');
    const contenders = Array.from({ length: 4 }, () => new Lease(h!.backend.tables, h!.clock, path, 30_000, 'test'));
    const won = await Promise.all(contenders.map((l) => l.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = contenders[won.indexOf(true)]!;
    expect(winner.token).toBe(1);
    await h.clock.advance(31_000);
    const next = contenders.find((l) => l !== winner)!;
    expect(await next.acquire()).toBe(true);
    expect(next.token).toBe(2);
    expect(await winner.confirm()).toBe(false);
    await next.release({ finished: true });
    expect(await h.backend.tables.get(leaseTable, { name: path })).toBeUndefined();
  }, 60_000);
});
