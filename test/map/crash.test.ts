import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { read } from '../fixtures/jobs/sink.ts';

const script = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/jobs/map-coordinator.ts');
const dir = mkdtempSync(join(tmpdir(), 'baton-map-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const N = 2000;

/** Starts a coordinator; resolves with its output when it exits, or kills it `killAfterMs` after it starts dispatching. */
function coordinator(gen: number, killAfterMs?: number): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(gen), String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfterMs !== undefined && !killed && out.includes('dispatching')) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ out, killed }));
  });
}

function succeededInLedger(): Set<string> {
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    return new Set(db.prepare<[], { idx: number }>("SELECT idx FROM map_items WHERE map_id = 'crash' AND status = 'succeeded'").all().map((r) => String(r.idx)));
  } finally {
    db.close();
  }
}

describe('map coordinator killed with SIGKILL', () => {
  it('resumes after each kill without running a succeeded item twice or missing any', async () => {
    const kills = 2;
    const durable: Array<Set<string>> = [];
    for (let gen = 0; gen < kills; gen++) {
      const run = await coordinator(gen, 20 + Math.floor(Math.random() * 180));
      expect(run.killed).toBe(true);
      durable.push(succeededInLedger());
    }
    expect(durable[0]!.size).toBeLessThan(N);
    const last = await coordinator(kills);
    const summary = JSON.parse(last.out.trim().split('\n').at(-1) ?? '{}') as { status: string; counts: Record<string, number> };
    expect(summary).toMatchObject({ status: 'succeeded', counts: { total: N, succeeded: N, failed: 0, pending: 0, running: 0 } });

    const sink = read(join(dir, 'sink.db'));
    expect(sink.effects).toBe(N);
    // An item whose success was in the ledger at kill k never ran again in a later generation.
    for (const [k, done] of durable.entries()) {
      for (const item of done) expect(sink.callsByItem.get(item)!.filter((g) => Number(g) > k)).toEqual([]);
    }
    // What did run twice was in flight at a kill: at most concurrency x batch size (plus one write turn) per kill.
    expect(sink.calls - N).toBeLessThanOrEqual(kills * 4 * 5 * 2);
  }, 60_000);
});
