/**
 * Two engines on one state at once (issue 11): both run the same app while queue messages, bucket
 * events and table writes arrive; one of them, chosen at random, is SIGKILLed and restarted, again
 * and again. Every handler notes each record it is handed with its engine's pid
 * (fixtures/two-engines/record.ts), so the check counts, per record, how often it was delivered
 * and by whom:
 *   lost      a record never delivered
 *   doubled   a record delivered again while every engine that had it before was still alive
 *             (two live engines both took it, or one took it twice: a queue message, a bucket
 *             event or a stream batch doubled)
 *   redelivered   delivered again after an engine that had it was killed (at least once: its
 *             acknowledgement died with it) - expected, counted apart
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ChaosContext, Scale, Scenario } from '../harness/chaos.ts';
import { queuesEmpty } from './queues.ts';

const perWave = { queue: 30, object: 10, stream: 40 };

export interface Delivery {
  pid: number;
  at: number;
}

/**
 * Per expected record, its repeated deliveries: each delivery after the first is at-least-once
 * (redelivered) when an engine that had the record before was killed by then (its
 * acknowledgement may have died with it), and makes the record doubled otherwise.
 */
export function countDeliveries(expected: Iterable<string>, got: ReadonlyMap<string, Delivery[]>, killed: ReadonlyMap<number, number>): { doubled: number; redelivered: number; byKind: Map<string, number>; byPid: Map<number, number>; examples: string[] } {
  let doubled = 0;
  let redelivered = 0;
  const byKind = new Map<string, number>();
  const byPid = new Map<number, number>();
  const examples: string[] = [];
  for (const key of expected) {
    const list = got.get(key) ?? [];
    for (const d of list) byPid.set(d.pid, (byPid.get(d.pid) ?? 0) + 1);
    let twice = false;
    list.slice(1).forEach((d, i) => {
      if (list.slice(0, i + 1).some((e) => (killed.get(e.pid) ?? Infinity) <= d.at)) redelivered++;
      else twice = true;
    });
    if (!twice) continue;
    doubled++;
    const kind = key.split(' ')[0]!;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    examples.push(`${key} delivered ${list.length} times while the engines that had it lived (${list.map((d) => `pid ${d.pid} at ${new Date(d.at).toISOString().slice(11, 23)}`).join(', ')})`);
  }
  return { doubled, redelivered, byKind, byPid, examples };
}

/** Deliveries per record ('queue m-3'), in the order made, from the whole lines of the file. */
function deliveries(file: string): Map<string, Delivery[]> {
  const out = new Map<string, Delivery[]>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(0, -1)) {
    const [kind, id, pid, at] = line.split(' ');
    const key = `${kind} ${id}`;
    out.set(key, [...(out.get(key) ?? []), { pid: Number(pid), at: Number(at) }]);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

export function twoEngines(scale: Scale = 'short'): Scenario {
  // Full: twice the waves, so records keep arriving through more of the kills.
  const waves = scale === 'full' ? 16 : 8;
  const expected = new Set<string>();
  let file = '';
  const delivered = () => deliveries(file);
  return {
    name: 'two-engines',
    config: fileURLToPath(new URL('../fixtures/two-engines/baton.config.ts', import.meta.url)),
    engines: 2,
    env: () => ({ CHAOS_DELIVERIES: file }),
    life: [1500, 8000],
    settleTimeoutMs: 240_000,
    async prepare(ctx: ChaosContext) {
      file = join(ctx.dir, 'deliveries.txt');
    },
    async feed({ backend, rng }) {
      for (let w = 0; w < waves; w++) {
        const bodies = Array.from({ length: perWave.queue }, (_, i) => `m-${w}-${i}`);
        for (let i = 0; i < bodies.length; i += 10) await backend.queues.sendBatch('jobs', bodies.slice(i, i + 10).map((body) => ({ body })));
        bodies.forEach((b) => expected.add(`queue ${b}`));
        for (let i = 0; i < perWave.object; i++) {
          await backend.objects.put('drops', `in/o-${w}-${i}`, `object ${w} ${i}`);
          expected.add(`object in/o-${w}-${i}`);
        }
        for (let i = 0; i < perWave.stream; i++) {
          await backend.tables.put('items', { id: `i-${w}-${i}`, wave: w });
          expected.add(`stream i-${w}-${i}`);
        }
        await sleep(rng.int(500, 3000));
      }
    },
    async settled({ backend }) {
      if (expected.size < waves * (perWave.queue + perWave.object + perWave.stream)) return false;
      if (!(await queuesEmpty(backend, ['jobs', 'baton-async']))) return false;
      if ((await backend.tables.readStream('items', 'fn:on-stream', { limit: 1 })).length > 0) return false;
      const got = delivered();
      return [...expected].every((k) => got.has(k));
    },
    async pending({ backend }) {
      const got = delivered();
      const missing = [...expected].filter((k) => !got.has(k));
      const kinds = ['queue', 'object', 'stream'].map((k) => `${k} ${missing.filter((m) => m.startsWith(k)).length}`).join(', ');
      const q = await Promise.all(['jobs', 'baton-async'].map(async (n) => ({ n, s: await backend.queues.stats(n) })));
      const backlog = (await backend.tables.readStream('items', 'fn:on-stream', { limit: 1000 })).length;
      return `undelivered: ${kinds} (e.g. ${missing.slice(0, 3).join(', ')}); ${q.map(({ n, s }) => `${n}: ${s.visible} visible, ${s.inFlight} in flight, ${s.delayed} delayed, ${s.deadLettered ?? 0} dead`).join('; ')}; stream backlog ${backlog}`;
    },
    async check({ killed }) {
      const got = delivered();
      const failures: string[] = [];
      const { doubled, redelivered, byKind, byPid, examples } = countDeliveries(expected, got, killed);
      failures.push(...examples.slice(0, 5));
      const lost = [...expected].filter((k) => !got.has(k));
      if (lost.length) failures.push(`${lost.length} records never delivered, e.g. ${lost.slice(0, 3).join(', ')}`);
      if (doubled) failures.push(`doubled by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
      const unknown = [...got.keys()].filter((k) => !expected.has(k));
      if (unknown.length) failures.push(`${unknown.length} deliveries of records never sent, e.g. ${unknown.slice(0, 3).join(', ')}`);
      return {
        expected: expected.size,
        found: expected.size - lost.length,
        duplicates: doubled,
        lost: lost.length,
        failures,
        notes: { 'redelivered after a kill': redelivered, 'engines that delivered': byPid.size, 'most by one engine': Math.max(0, ...byPid.values()) },
      };
    },
  };
}
