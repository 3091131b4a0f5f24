import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocal } from '../../src/backends/local/index.ts';
import { Catalog } from '../../src/data/catalog/index.ts';
import { compact } from '../../src/data/compact/index.ts';
import { putParquet } from './parquet.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'baton.mjs');
const config = join(root, 'examples', 'quickstart', 'baton.config.ts');
const dir = mkdtempSync(join(tmpdir(), 'baton-cli-data-'));
const run = promisify(execFile);
const env = { ...process.env, BATON_PARAMS_KEY: Buffer.alloc(32, 3).toString('base64') };

async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, '--config', config, '--dir', dir, ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each command is a fresh process that compiles TypeScript on start: slow on a loaded 2-core machine.
describe('baton query and baton catalog', { timeout: 180_000 }, () => {
  it('queries catalog tables with bound parameters and shows the catalog', async () => {
    const backend = openLocal({ dir, paramsKey: Buffer.alloc(32, 3) });
    try {
      await backend.objects.declare({ name: 'lake', notifications: [] });
      await putParquet(backend.objects, 'lake', 'staging/2026/01/01/07/a.parquet', 0, 100);
      const catalog = await Catalog.open(backend.objects);
      await compact(backend.objects, { source: { bucket: 'lake', prefix: 'staging/' }, destination: { bucket: 'lake', prefix: 'events/' }, period: 'hour', completeness: { expected: 1 }, catalog: { catalog, table: 'events' } });
    } finally {
      await backend.close();
    }
    // Three spawns only: each CLI start costs seconds on a loaded machine.
    const q = await baton('query', 'SELECT hour, count(*) AS n, sum(amount) AS total FROM events WHERE id >= ? AND name <> ? GROUP BY hour', '-p', '90', '-p', "x'; DROP TABLE events; --", '--csv');
    expect(q.stderr).toBe('');
    expect(q.stdout).toBe(`hour,n,total\n7,10,${2 * (90 + 99) * 5}\n`);
    const ls = await baton('catalog', 'ls');
    expect(ls.stdout).toMatch(/^events\s+lake\/events\/\s+1\s+100\s/m);
    const bad = await baton('catalog', 'show', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Catalog table "nope" does not exist .* Known tables: events\./);
  });
});
