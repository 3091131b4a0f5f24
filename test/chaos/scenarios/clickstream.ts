/**
 * clickstream under chaos: the example's firehose objects (small size: 6 slots of 50 events, 2
 * schema-invalid in each) land in the lake while engines running the example's config are killed
 * during standardize; then the hourly compaction (the handler the schedule fires) is run with
 * `baton invoke`, SIGKILLed mid-run once, run again, and once more to show a re-run changes
 * nothing. The example's own promises are checked as its demo does: SQL over the catalog counts
 * exactly the valid events with no duplicates, every invalid event is rejected with its reasons,
 * the staging prefix is empty and every hour is one file.
 *
 * The firehose runs in the harness's process (as the demo runs it beside the engine, flushing a
 * slot at a time): the buffer's own crash safety is test/crash's and test/data's; what is killed
 * here is the engine that turns its objects into the lake.
 */
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import config from '../../../examples/clickstream/baton.config.ts';
import { ClickGenerator } from '../../../examples/clickstream/generator.ts';
import { lake } from '../../../examples/clickstream/schema.ts';
import { Catalog } from '../../../src/data/catalog/index.ts';
import { startIngestion } from '../../../src/data/firehose/ingestion.ts';
import { listAll } from '../../../src/data/list.ts';
import { query } from '../../../src/data/query.ts';
import type { Backend } from '../../../src/ports/backend.ts';
import type { ChaosContext, Scale, Scenario } from '../harness/chaos.ts';
import { startEngine } from '../harness/engine.ts';
import { queuesEmpty, redriveCrashVictims } from './queues.ts';

const configFile = fileURLToPath(new URL('../../../examples/clickstream/baton.config.ts', import.meta.url));
const spec = { ...config, root: dirname(configFile) };
const perSlot = 50;
const invalidPerSlot = 2;
const START = Date.UTC(2026, 2, 5, 7, 0);

async function keysUnder(backend: Backend, prefix: string): Promise<string[]> {
  return (await listAll(backend.objects, lake.bucket, prefix)).map((o) => o.key);
}

/** Runs the compaction as the schedule would at `tick`, in a `baton invoke` process; kills it after `killAfterMs` when given. */
async function compaction(ctx: ChaosContext, tick: number, killAfterMs?: number): Promise<{ killed: boolean; output: string }> {
  const event = { version: '0', id: `chaos-${tick}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date(tick).toISOString(), region: 'us-east-1', resources: [], detail: {} };
  const cli = startEngine({ config: configFile, state: ctx.state, name: 'baton invoke', args: ['invoke', 'compact-hourly', '--event-json', JSON.stringify(event)] });
  let killed = false;
  if (killAfterMs !== undefined) {
    await Promise.race([sleep(killAfterMs), cli.exited]);
    killed = cli.alive;
    await cli.kill();
  }
  const { code } = await cli.exited;
  if (!killed && code !== 0) throw new Error(`baton invoke compact-hourly exited ${code}: ${cli.output()}`);
  return { killed, output: cli.output() };
}

export function clickstream(scale: Scale = 'short'): Scenario {
  // Full: twice the slots, posted over a longer time, so the engines die while files still land.
  const slots = scale === 'full' ? 12 : 6;
  const gapMs: [number, number] = scale === 'full' ? [1000, 6000] : [300, 4000];
  let fed = false;
  const posted = { events: 0, valid: 0, invalid: 0, files: 0 };
  let redriven = 0;
  let compactionKilled = 0;
  return {
    name: 'clickstream',
    config: configFile,
    life: [1500, 9000],
    settleTimeoutMs: 240_000,
    async feed({ backend, rng, log }) {
      const ingestion = await startIngestion(backend, spec);
      try {
        const hose = ingestion.hoses.get('clicks')!;
        const generator = new ClickGenerator(ingestion.url!);
        for (let s = 0; s < slots; s++) {
          const c = await generator.post(START + s * 600_000, perSlot, { invalid: invalidPerSlot });
          posted.events += c.posted;
          posted.valid += c.valid;
          posted.invalid += c.invalid;
          posted.files += await hose.flush();
          await sleep(rng.int(...gapMs));
        }
        fed = true;
        log(`posted ${posted.events} events in ${posted.files} firehose objects`);
      } finally {
        await ingestion.close();
      }
    },
    async settled({ backend }) {
      if (!fed || !(await queuesEmpty(backend, ['raw-files']))) return false;
      const raw = await keysUnder(backend, lake.raw);
      const staged = await keysUnder(backend, lake.staging);
      return raw.length === posted.files && staged.length === posted.files;
    },
    async afterSettle({ backend, log }) {
      const moved = await redriveCrashVictims(backend, ['raw-files']);
      if (moved) log(`redrove ${moved} message(s) dead-lettered by crashes`);
      redriven += moved;
      return moved > 0;
    },
    async check(ctx) {
      const { backend, rng } = ctx;
      const failures: string[] = [];
      const expect = (what: string, ok: boolean, detail?: string) => {
        if (!ok) failures.push(detail ? `${what} (${detail})` : what);
      };
      // The hourly compaction, two hours on (every staged hour is past its grace): killed once, then run to the end.
      const tick = Date.now() + 2 * 3_600_000;
      if ((await compaction(ctx, tick, rng.int(300, 4000))).killed) compactionKilled++;
      await compaction(ctx, tick);
      const catalog = await Catalog.open(backend.objects);
      const before = JSON.stringify(await catalog.partitions(lake.table));
      const again = await compaction(ctx, tick + 3_600_000);
      expect('a re-run changes nothing', JSON.stringify(await catalog.partitions(lake.table)) === before, again.output.slice(-500));

      const total = await query(catalog, 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events');
      const n = Number(total.rows[0]?.['n']);
      const ids = Number(total.rows[0]?.['ids']);
      expect('SQL counts exactly the valid events', n === posted.valid, `${n} rows, expected ${posted.valid}`);
      expect('no duplicates', ids === n, `${ids} distinct ids in ${n} rows`);
      let rejected = 0;
      let withReasons = 0;
      for (const key of await keysUnder(backend, lake.rejected)) {
        for (const line of (await backend.objects.get(lake.bucket, key)).body.toString('utf8').split('\n').filter(Boolean)) {
          rejected++;
          if ((JSON.parse(line) as { reasons?: string[] }).reasons?.length) withReasons++;
        }
      }
      expect('every invalid event rejected with its reasons', rejected === posted.invalid && withReasons === rejected, `${rejected} rejected (${withReasons} with reasons), expected ${posted.invalid}`);
      const staging = await keysUnder(backend, lake.staging);
      expect('the staging prefix is empty', staging.length === 0, staging.join(', '));
      const partitions = await catalog.partitions(lake.table);
      expect('one file per hour', partitions.length > 0 && partitions.every((p) => p.files.length === 1), JSON.stringify(partitions.map((p) => p.files)));
      const dead = (await backend.queues.stats('raw-files')).deadLettered ?? 0;
      expect('no file left in the DLQ', dead === 0, `${dead}`);
      return {
        expected: posted.valid + posted.invalid,
        found: ids + rejected,
        duplicates: n - ids,
        lost: Math.max(0, posted.valid - ids) + Math.max(0, posted.invalid - rejected),
        failures,
        notes: { files: posted.files, redriven, 'compaction killed': compactionKilled },
      };
    },
  };
}
