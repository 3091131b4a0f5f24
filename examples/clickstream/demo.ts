// The clickstream demo (seed 003): runs baton.config.ts on the embedded backend, as `baton dev`
// would, on a fake clock (sim-clock.ts) so three simulated hours take seconds. The engine runs the
// queue trigger, the DLQ alarm and the hourly schedule on that clock: the schedule fires the
// compaction through the engine at every :20 (nothing calls the handler directly). Handlers run
// in worker threads in real time. A generator posts events to the firehose over HTTP; each 5 minutes of events becomes one
// gzip JSON-lines object (the demo flushes the buffer at each slot rather than waiting on the
// interval loop, so the file boundaries are the same on every run).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../src/data/catalog/index.ts';
import { startIngestion } from '../../src/data/firehose/ingestion.ts';
import { listAll } from '../../src/data/list.ts';
import { query } from '../../src/data/query.ts';
import type { Backend } from '../../src/ports/backend.ts';
import { checks, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import { openApp } from '../../src/root/open-app.ts';
import config from './baton.config.ts';
import { ClickGenerator } from './generator.ts';
import { acceptLegacySwitch, keysFor, lake } from './schema.ts';
import { SimClock } from './sim-clock.ts';

// Handler modules resolve against the config's folder, as `baton dev` loads it.
const spec = { ...config, root: dirname(fileURLToPath(import.meta.url)) };

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 2, 5, 7, 0);

async function keysUnder(backend: Backend, prefix: string): Promise<string[]> {
  return (await listAll(backend.objects, lake.bucket, prefix)).map((o) => o.key);
}

async function exists(backend: Backend, key: string): Promise<boolean> {
  return (await backend.objects.list(lake.bucket, { prefix: key, maxKeys: 1 })).objects[0]?.key === key;
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  const clock = new SimClock(START);
  const app = await openApp(spec, { local: { dir: ctx.dir }, clock });
  const { backend } = app;
  const engine = await app.startEngine({ closeExecutor: true, onError: (where, err) => check.expect(`no engine error (${where})`, false, String(err)) });
  const ingestion = await startIngestion(backend, spec);
  const hose = ingestion.hoses.get('clicks')!;
  const generator = new ClickGenerator(ingestion.url!);
  const alerts = join(ctx.dir, 'alerts.jsonl');
  const alertLines = () => (existsSync(alerts) ? readFileSync(alerts, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Subject?: string; Message: string }) : []);

  /** Waits (real time) until cond holds, moving the fake clock a second per look while something sleeps on it. */
  const until = async (what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
      if (clock.pending > 0) await clock.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const queueIdle = async () => {
    const s = await backend.queues.stats('raw-files');
    return s.visible + s.inFlight + s.delayed === 0 && engine.inFlight() === 0;
  };
  /** The compaction runs finished so far, with their log lines. */
  const compactions = async () => (await backend.runs.list({ fn: 'compact-hourly', limit: 1000 })).sort((a, b) => a.startedAt - b.startedAt);
  let ticks = 0;
  const compactionsDone = async () => {
    const runs = await compactions();
    return runs.length >= ticks && runs.every((r) => r.status !== 'running');
  };
  /**
   * Moves the clock to `t`, stopping at each :20 on the way so the schedule fires on time, and
   * waits for those compactions to finish before moving on (time never jumps under a running
   * invocation). A compaction fired at `t` itself is left running when `overlap` is set: the
   * caller waits for it with the slot's own work.
   */
  const moveTo = async (t: number, overlap = false) => {
    for (let tick = Math.floor(clock.now() / HOUR) * HOUR + 20 * MIN; tick <= t; tick += HOUR) {
      if (tick <= clock.now()) continue;
      await clock.jump(tick);
      ticks++;
      if (tick === t && overlap) return;
      await until(`the compaction at ${new Date(tick).toISOString()}`, compactionsDone);
    }
    await clock.jump(t);
  };
  const lastCompactionLog = async () => {
    const last = (await compactions()).at(-1);
    return last ? (await backend.runs.logs(last.id)).map((l) => l.message.trim()).filter((m) => /h: /.test(m)) : [];
  };

  try {
    const slots = ctx.small ? 3 : 12; // one object every 20 or 5 minutes: slots at :20 share their time with the compaction tick
    const perSlot = ctx.small ? 50 : 1000;
    const invalidPerSlot = ctx.small ? 2 : 12;
    const legacyEvents = ctx.small ? 10 : 100;
    const slotMs = HOUR / slots;
    const posted = { events: 0, valid: 0, invalid: 0, legacy: 0, files: 0 };
    const validByHour = new Map<number, number>();
    let legacyFile = '';

    // 1. Two hours of traffic, 07:00-09:00: one firehose object per slot, standardized as it lands.
    //    One slot at 07:xx also carries events from the old tracker (v1): its file fails twice and
    //    goes to the DLQ; the alarm notifies once. The compaction fires at 07:20 and 08:20 on its own.
    for (let s = 0; s < 2 * slots; s++) {
      const at = START + s * slotMs;
      await moveTo(at, true);
      const legacy = s === Math.floor(slots / 2) ? legacyEvents : 0;
      const c = await generator.post(at, perSlot, { invalid: invalidPerSlot, legacy });
      posted.events += c.posted;
      posted.valid += c.valid;
      posted.invalid += c.invalid;
      posted.legacy += c.legacy;
      const hour = at - (at % HOUR);
      validByHour.set(hour, (validByHour.get(hour) ?? 0) + c.valid);
      const before = new Set(await keysUnder(backend, lake.raw));
      posted.files += await hose.flush();
      const fresh = (await keysUnder(backend, lake.raw)).filter((k) => !before.has(k));
      if (legacy) legacyFile = fresh[0] ?? '';
      await until(`slot ${s} standardized`, async () => {
        for (const k of fresh) if (!(await exists(backend, keysFor(k).staging)) && !(await exists(backend, keysFor(k).quarantine))) return false;
        return (await queueIdle()) && (await compactionsDone());
      });
    }
    ctx.log(`posted ${posted.events} events in ${posted.files} firehose objects over 2 simulated hours (${posted.invalid} schema-invalid, ${posted.legacy} from tracker v1 in ${legacyFile.split('/').at(-1)})`);
    await until('the DLQ alarm', () => alertLines().length >= 1);
    const dead = await backend.queues.redrive('raw-files-dlq', { dryRun: true });
    check.expect('one file in the DLQ', dead.messages.length === 1, `${dead.messages.length} messages`);
    check.expect('one alarm notification, ALARM', alertLines().length === 1 && alertLines()[0]!.Message.includes('"NewStateValue":"ALARM"'), JSON.stringify(alertLines()));
    ctx.log(`DLQ: 1 message after ${dead.messages[0]?.attempts ?? '?'} attempts: ${dead.messages[0]?.lastError?.message ?? '(no error)'}; alarm notified: ${alertLines()[0]?.Subject ?? '?'}`);
    const at0820 = await lastCompactionLog();
    ctx.log(`compaction at 08:20: ${at0820.join('; ')}`);
    check.expect('07h compacted at 08:20 without the DLQ file', at0820.some((l) => l.startsWith('2026-03-05T07h: compacted')), at0820.join('; '));

    // 2. The fix: turn the switch on (the function now maps v1 events) and redrive the DLQ.
    await moveTo(START + 2 * HOUR + 5 * MIN);
    await backend.params.put(acceptLegacySwitch, { value: 'on', overwrite: true });
    const moved = await backend.queues.redrive('raw-files-dlq');
    await until('the redriven file standardized', async () => (await exists(backend, keysFor(legacyFile).staging)) && !(await exists(backend, keysFor(legacyFile).quarantine)) && (await queueIdle()));
    ctx.log(`switch ${acceptLegacySwitch} on; redrove ${moved.moved} message; its file is staged for 07h, which is already compacted`);

    // 3. 09:20: the late file is appended to 07h, 08h is compacted; the alarm is back to OK.
    await moveTo(START + 2 * HOUR + 20 * MIN);
    const at0920 = await lastCompactionLog();
    ctx.log(`compaction at 09:20: ${at0920.join('; ')}`);
    check.expect('the late file merged into 07h once', at0920.some((l) => l.startsWith('2026-03-05T07h: merged-late, 1 file(s) merged')), at0920.join('; '));
    check.expect('08h compacted at 09:20', at0920.some((l) => l.startsWith('2026-03-05T08h: compacted')), at0920.join('; '));
    await until('the alarm back to OK', () => alertLines().length >= 2);
    check.expect('the alarm recovers once', alertLines().length === 2 && alertLines()[1]!.Message.includes('"NewStateValue":"OK"'), JSON.stringify(alertLines().map((a) => a.Subject)));

    // 4. 10:20: a run with nothing new changes nothing.
    const catalog = await Catalog.open(backend.objects);
    const before = JSON.stringify(await catalog.partitions(lake.table));
    await moveTo(START + 3 * HOUR + 20 * MIN);
    const at1020 = await lastCompactionLog();
    check.expect('a re-run changes nothing', JSON.stringify(await catalog.partitions(lake.table)) === before && at1020.every((l) => l.includes('up-to-date')), at1020.join('; '));
    ctx.log(`compaction at 10:20: ${at1020.length ? at1020.join('; ') : 'nothing new, no hour touched'}; catalog partitions unchanged`);
    const runs = await compactions();
    check.expect('every compaction run succeeded', runs.every((r) => r.status === 'ok'), runs.map((r) => `${r.status}${r.error ? `: ${r.error.message}` : ''}`).join(', '));

    // 5. The lake answers SQL: exactly the valid events, once each; the invalid ones are rejected with reasons.
    const total = await query(catalog, 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events');
    const n = Number(total.rows[0]?.['n']);
    const ids = Number(total.rows[0]?.['ids']);
    check.expect('SQL counts exactly the valid events', n === posted.valid, `${n} rows, expected ${posted.valid}`);
    check.expect('no duplicates', ids === n, `${ids} distinct ids in ${n} rows`);
    const byHour = await query(catalog, 'SELECT dt, hour, count(*) AS n FROM events GROUP BY dt, hour ORDER BY dt, hour');
    const expectedByHour = [...validByHour].map(([h, v]) => `${new Date(h).toISOString().slice(11, 13)}:${v}`).join(' ');
    const gotByHour = byHour.rows.map((r) => `${String(r['hour']).padStart(2, '0')}:${Number(r['n'])}`).join(' ');
    check.expect('every hour holds its events', gotByHour === expectedByHour, `${gotByHour}, expected ${expectedByHour}`);
    let rejected = 0;
    let withReasons = 0;
    const reasons = new Set<string>();
    for (const key of await keysUnder(backend, lake.rejected)) {
      for (const line of (await backend.objects.get(lake.bucket, key)).body.toString('utf8').split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as { reasons?: string[] };
        rejected++;
        if (r.reasons?.length) withReasons++;
        for (const why of r.reasons ?? []) reasons.add(why.replace(/".*$/, '').trim());
      }
    }
    check.expect('every invalid event rejected with its reasons', rejected === posted.invalid && withReasons === rejected, `${rejected} rejected (${withReasons} with reasons), expected ${posted.invalid}`);
    const staging = await keysUnder(backend, lake.staging);
    check.expect('the staging prefix is empty', staging.length === 0, staging.join(', '));
    const partitions = await catalog.partitions(lake.table);
    check.expect('one file per hour', partitions.every((p) => p.files.length === 1), JSON.stringify(partitions.map((p) => p.files)));
    ctx.log(`SQL: ${n} events (${ids} distinct ids; ${gotByHour.replace(/ /g, ', ')} by hour); ${rejected} rejected, e.g. ${[...reasons].slice(0, 3).join(' | ')}`);
    ctx.log(`${engine.counters.invocations} invocations; ${(await compactions()).length} compaction ticks; ${alertLines().length} alarm notifications (ALARM, then OK)`);

    return {
      summary: `${posted.events} events in ${posted.files} files, ${n} valid in the lake (no duplicates), ${rejected} rejected, 1 file dead-lettered and redriven, 1 late file appended once, ${partitions.length} hourly partitions`,
      failures: check.failures,
    };
  } finally {
    await ingestion.close();
    await engine.stop({ deadlineMs: 5000 });
    await app.close();
  }
}
