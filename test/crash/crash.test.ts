import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLocal } from '../../src/backends/local/index.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';

const source = fileURLToPath(new URL('./worker.ts', import.meta.url));
// Bundled once so each of the runs starts in ~100 ms instead of compiling TypeScript again; it
// sits under node_modules so the native better-sqlite3 addon still resolves.
const worker = fileURLToPath(new URL('../../node_modules/.cache/baton-crash-worker.mjs', import.meta.url));
const RUNS = 20;

interface Ack {
  op: string;
  bodies?: string[];
  key?: string;
  md5?: string;
  id?: string;
  v?: number;
}

/** Starts the worker, kills it with SIGKILL `afterMs` after it is ready, returns its acknowledgements. */
function runAndKill(dir: string, seed: number, afterMs: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      const first = out.length === 0;
      out += d.toString();
      if (first) setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`worker ended by itself (code ${code}): ${err}`));
      // The last line may be cut by the kill: only whole lines are acknowledgements.
      const lines = out.split('\n').slice(0, -1);
      resolve(lines.map((l) => JSON.parse(l) as Ack));
    });
  });
}

describe('crash safety of the local backend (SIGKILL at random moments)', () => {
  beforeAll(async () => {
    await build({ entryPoints: [source], outfile: worker, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3'], logLevel: 'error' });
  });

  it(`loses no acknowledged write, shows no partial object, redelivers no deleted message (${RUNS} kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
    const sent = new Set<string>();
    const deleted = new Set<string>();
    // Deletes that began but were not acknowledged: a kill between the commit and the ack leaves
    // them gone without the test knowing, so they may be present or not, like objects in `removing`.
    const deleting = new Set<string>();
    const puts = new Map<string, string>();
    const begun = new Map<string, string>();
    const removed = new Set<string>();
    const removing = new Set<string>();
    const items = new Map<string, number>();
    try {
      for (let run = 0; run < RUNS; run++) {
        const acks = await runAndKill(dir, run + 1, 150 + ((run * 397) % 900));
        expect(acks[0]?.op).toBe('ready');
        for (const a of acks) {
          if (a.op === 'sent') a.bodies!.forEach((b) => sent.add(b));
          if (a.op === 'deleted') a.bodies!.forEach((b) => deleted.add(b));
          if (a.op === 'delete-begin') a.bodies!.forEach((b) => deleting.add(b));
          if (a.op === 'put-begin') begun.set(a.key!, a.md5!);
          if (a.op === 'put') puts.set(a.key!, a.md5!);
          if (a.op === 'del-begin') removing.add(a.key!);
          if (a.op === 'del') removed.add(a.key!);
          if (a.op === 'tput') items.set(a.id!, a.v!);
        }
      }
      // Enough happened for the checks to mean something.
      expect(sent.size).toBeGreaterThan(200);
      expect(deleted.size).toBeGreaterThan(50);
      expect(puts.size).toBeGreaterThan(50);
      expect(items.size).toBeGreaterThan(50);

      // Reopen as a new process would, a day later so every lease has expired.
      const clock = new FakeClock(Date.now() + 86_400_000 / 2);
      const backend = openLocal({ dir, clock, paramsKey: Buffer.alloc(32, 1) });
      try {
        const seen: string[] = [];
        for (;;) {
          const got = await backend.queues.receive('q', { maxMessages: 1000, visibilityTimeoutMs: 3_600_000 });
          if (got.length === 0) break;
          seen.push(...got.map((m) => m.body));
        }
        const seenSet = new Set(seen);
        const redelivered = [...deleted].filter((b) => seenSet.has(b));
        expect(redelivered, 'deleted messages delivered again').toEqual([]);
        const lost = [...sent].filter((b) => !deleted.has(b) && !deleting.has(b) && !seenSet.has(b));
        expect(lost, 'acknowledged messages lost').toEqual([]);

        for (const [key, md5] of puts) {
          if (removing.has(key)) continue;
          const { body, head } = await backend.objects.get('crash-bucket', key);
          expect(createHash('md5').update(body).digest('hex'), `content of ${key}`).toBe(md5);
          expect(head.etag).toBe(`"${md5}"`);
        }
        for (const key of removed) await expect(backend.objects.head('crash-bucket', key)).rejects.toThrow(/not found|No object/i);
        let token: string | undefined;
        do {
          const page = await backend.objects.list('crash-bucket', { prefix: 'k/', ...(token ? { continuationToken: token } : {}) });
          for (const h of page.objects) {
            expect(begun.has(h.key), `${h.key} was never written`).toBe(true);
            const { body } = await backend.objects.get('crash-bucket', h.key);
            expect(`"${createHash('md5').update(body).digest('hex')}"`, `no partial content in ${h.key}`).toBe(h.etag);
            expect(h.etag).toBe(`"${begun.get(h.key)}"`);
          }
          token = page.nextContinuationToken;
        } while (token);
        const tmp = join(dir, 'objects', '.tmp');
        expect(readdirSafe(tmp), 'temporary files left after recovery').toEqual([]);

        for (const [id, v] of items) expect((await backend.tables.get('t', { id }))?.v, `item ${id}`).toBe(v);
      } finally {
        await backend.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
