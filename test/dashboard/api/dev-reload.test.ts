/**
 * `baton dev` with its dashboard, when a saved baton.config.ts is applied: the dashboard serves the
 * new version (its graph, functions and queues; actions use its functions) and tells each open page
 * with an `app` event carrying the new graph, so the graph redraws without a reload. In process,
 * as test/cli/dev-reload.test.ts: a real config file saved, the runtime's config watch applying it.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DevRuntime, type ConfigApply } from '../../../src/cli/dev-runtime.ts';
import { loadConfig } from '../../../src/cli/load-config.ts';
import { startDashboard } from '../../../src/dashboard/server/index.ts';
import { openApp } from '../../../src/root/open-app.ts';
import { subscribe } from './sse.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'baton-dash-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Saves as most editors do: a copy written beside the file, renamed over it. */
function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp~`, text);
  renameSync(`${file}.tmp~`, file);
}

async function until<T>(what: string, get: () => Promise<T>, ok: (t: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await get();
    if (ok(t)) return t;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(t).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dashboard follows baton dev config reload', { timeout: 120_000 }, () => {
  it('serves the new graph, queues and functions after a saved config is applied, and sends the open page an `app` event', async () => {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    symlinkSync(root, join(dir, 'node_modules', 'baton'));
    const config = join(dir, 'baton.config.ts');
    const head = "import { app, fn, queue } from 'baton';\n";
    save(config, `${head}export default app('r', [queue('jobs'), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] })]);\n`);
    save(join(dir, 'hello.ts'), 'export const handler = async (e: { Records: Array<{ body: string }> }) => e.Records.length;\n');
    save(join(dir, 'second.ts'), "export const handler = async (e: { Records: Array<{ body: string }> }) => { if (e.Records.some((r) => r.body === 'bad')) throw new Error('bad body'); return 'second'; };\n");
    const app = await openApp(await loadConfig(config), { local: { dir: join(dir, '.state') } });
    const errors: string[] = [];
    const runtime = new DevRuntime({ app, deadlineMs: 5000, port: 0, onError: (where, err) => errors.push(`${where}: ${String(err)}`) });
    await runtime.start();
    const dash = await startDashboard(app, { port: 0, sampleEveryMs: 100 });
    runtime.onApp((next) => dash.setApp(next));
    const results: Array<ConfigApply | { error: string }> = [];
    const watch = runtime.watchConfig(config, 20, (r) => results.push(r));
    const api = async (path: string, init?: RequestInit) => {
      const res = await fetch(`http://127.0.0.1:${dash.port}${path}`, init);
      return { status: res.status, body: (await res.json()) as any };
    };
    const sse = await subscribe(`http://127.0.0.1:${dash.port}/api/events`);
    try {
      const before = await api('/api/app');
      expect(before.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['fn:hello', 'queue:jobs']);
      expect((await api('/api/queues/more/messages')).status).toBe(404);

      // The new version: a queue `more` with a DLQ, and a function `second` it triggers.
      save(config, `${head}export default app('r', [queue('jobs'), queue('more', { deadLetter: { maxReceiveCount: 1 } }), fn('hello', './hello.ts', { triggers: [{ queue: 'jobs' }] }), fn('second', './second.ts', { triggers: [{ queue: 'more' }] })]);\n`);
      await until('the config to be applied', async () => results, (r) => r.length > 0);
      expect(results[0]).toMatchObject({ applied: true, changes: expect.arrayContaining(['+ queue more', '+ fn second']) });

      // The open page is told, with the new graph.
      const event = await sse.waitFor((e) => e.event === 'app');
      const ids = event.data.nodes.map((n: { id: string }) => n.id).sort();
      expect(ids).toEqual(['fn:hello', 'fn:second', 'queue:jobs', 'queue:more', 'queue:more-dlq']);
      expect(event.data.edges).toEqual(expect.arrayContaining([{ from: 'queue:more', to: 'fn:second', kind: 'trigger' }, { from: 'queue:more', to: 'queue:more-dlq', kind: 'dlq' }]));
      expect(event.data.nodes.find((n: { id: string }) => n.id === 'queue:more').counts).toEqual({ depth: 0, inFlight: 0, delayed: 0, oldestAgeMs: 0, dlqDepth: 0 });

      // Every endpoint reads the new version.
      expect((await api('/api/app')).body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(ids);
      expect((await api('/api/queues')).body.items.map((q: { name: string }) => q.name).sort()).toEqual(['jobs', 'more', 'more-dlq']);
      await app.backend.queues.send('more', { body: 'bad' });
      // The new function runs on the new engine, fails, and its message is dead-lettered: the dashboard shows both.
      const failed = await until('a failed run of second', () => api('/api/runs?fn=second&status=error'), (r) => r.body.items.length > 0);
      const dead = await until('the message in more-dlq', () => api('/api/queues/more-dlq/messages'), (r) => r.body.items.length === 1);
      expect(dead.body.items[0]).toMatchObject({ body: 'bad', source: 'more' });
      await sse.waitFor((e) => e.event === 'counts' && e.data.nodes.some((n: { id: string; counts: { dlqDepth?: number } }) => n.id === 'queue:more' && n.counts.dlqDepth === 1));

      // Actions use the new version's functions: a retry of `second` (a function the app opened without).
      const retry = await api(`/api/runs/${failed.body.items[0].id}/retry`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-baton-action': '1' }, body: '{}' });
      expect(retry.status).toBe(200);
      const retried = await until('the retried run to end', () => api(`/api/runs/${retry.body.runId}`), (r) => r.status === 200 && r.body.run.status !== 'running');
      expect(retried.body.run).toMatchObject({ fn: 'second', trigger: `retry:${failed.body.items[0].id}`, status: 'error' });
      expect(errors).toEqual([]);
    } finally {
      sse.close();
      watch.close();
      await dash.close();
      await runtime.stop();
      await app.close();
    }
  });
});
