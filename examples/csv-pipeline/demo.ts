// The csv-pipeline demo (seed 004): generates the CSV export, uploads it, and lets the engine run
// the whole chain (clean -> load -> stream -> process -> update) as `baton dev` would. Then it
// checks the seed's promises and what the seed got wrong:
// - every clean row is in the table, processed exactly once (its `updates` counter is 1, and the
//   amounts add up to the input's), however often a message or stream batch was delivered;
// - rows the cleaning rejects are in rejected/ with their line numbers and reasons;
// - each poison row waits in load-dlq, alone in its message, after 3 tries; nothing else is there;
// - no log line holds an event or a row (the seed wrote 6.6 TB of logs by printing events).
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../src/ports/backend.ts';
import { checks, demoBackend, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import type { Engine } from '../../src/runtime/engine/index.ts';
import { openDemoApp } from '../../src/root/demo-app.ts';
import config from './baton.config.ts';
import { generateCsv, type GenerateOptions } from './generate.ts';
import { process } from './handlers/process.ts';
import { names, rowsPerMessage, type Transaction, type TransactionItem } from './schema.ts';

const spec = { ...config, root: dirname(fileURLToPath(import.meta.url)) };

export const sizes: Record<'small' | 'smallAws' | 'full', GenerateOptions> = {
  small: { rows: 6_000, malformed: 9, poison: 11 },
  // DynamoDB Local (a JVM over SQLite) writes ~140 rows/s through the pipeline here: the test size
  // on aws is smaller so the end-to-end test stays near a minute on a loaded 2-core machine.
  smallAws: { rows: 2_000, malformed: 9, poison: 11 },
  full: { rows: 558_000, malformed: 40, poison: 12 },
};

export const uploadKey = 'incoming/transactions-2021-07-16.csv';

/** True when nothing is queued, in flight, or unread on the stream, and every poison row is in the DLQ. */
async function settled(backend: Backend, engine: Engine, poison: number): Promise<boolean> {
  if (engine.inFlight() > 0) return false;
  for (const q of [names.uploads, names.load, names.process, names.finished]) {
    const s = await backend.queues.stats(q);
    if (s.visible + s.inFlight + s.delayed > 0) return false;
  }
  if ((await backend.queues.stats(names.load)).deadLettered !== poison) return false;
  return (await backend.tables.readStream(names.table, 'fn:route', { limit: 1 })).length === 0;
}

/** How many times the load handler refused each single-row message, from its log lines. */
async function refusedTries(backend: Backend): Promise<Map<string, number>> {
  const tries = new Map<string, number>();
  for (const run of await backend.runs.list({ fn: 'load', limit: 100_000 })) {
    for (const log of await backend.runs.logs(run.id)) {
      const id = /^message (\S+): row refused/.exec(log.message)?.[1];
      if (id) tries.set(id, (tries.get(id) ?? 0) + 1);
    }
  }
  return tries;
}

export interface PipelineRun {
  seconds: number;
  rows: number;
}

/** Uploads the CSV (its text, or a stream of it) and waits until the pipeline has settled; returns the seconds it took. */
export async function runPipeline(backend: Backend, engine: Engine, csv: string | Readable, poison: number, timeoutMs = 900_000): Promise<number> {
  const t0 = performance.now();
  await backend.objects.put(names.bucket, uploadKey, csv, { contentType: 'text/csv' });
  await waitSettled(backend, engine, poison, t0, timeoutMs);
  return (performance.now() - t0) / 1000;
}

/** Waits until settled() holds twice in a row, 200 ms apart (each check reads every queue's stats). */
async function waitSettled(backend: Backend, engine: Engine, poison: number, t0: number, timeoutMs: number): Promise<void> {
  let calm = 0;
  while (calm < 2) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`the pipeline did not settle within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
    calm = (await settled(backend, engine, poison)) ? calm + 1 : 0;
  }
}

/**
 * At-least-once queues may deliver a message twice: send one load message and one finished
 * message again, as a redelivery would, so the checks below see whether the conditions held.
 */
async function redeliver(backend: Backend, engine: Engine, poison: number): Promise<number> {
  const rows: Transaction[] = [];
  for (let i = 1; rows.length < rowsPerMessage && i <= 2 * rowsPerMessage; i++) {
    const item = (await backend.tables.get(names.table, { transaction_id: `TX${String(i).padStart(8, '0')}` })) as TransactionItem | undefined;
    if (!item) continue;
    const { stage: _stage, amount_usd: _usd, fee: _fee, risk: _risk, updates: _updates, ...row } = item;
    rows.push(row);
  }
  await backend.queues.send(names.load, { body: JSON.stringify(rows) });
  await backend.queues.send(names.finished, { body: JSON.stringify(rows.map((r) => process({ ...r, stage: 'loaded' }))) });
  await waitSettled(backend, engine, poison, performance.now(), 60_000);
  return rows.length;
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  const size = sizes[ctx.small ? (demoBackend(ctx) === 'aws' ? 'smallAws' : 'small') : 'full'];
  const input = generateCsv(size);
  ctx.log(`generated ${input.rows} rows x 16 columns (${(input.csv.length / 1e6).toFixed(1)} MB): ${input.malformed} malformed, ${input.poison} poison`);
  const { app, backend } = await openDemoApp(spec, ctx);
  const engine = await app.startEngine({ closeExecutor: true, onError: (where, err) => check.expect(`no engine error (${where})`, false, String(err)) });
  try {
    const seconds = await runPipeline(backend, engine, input.csv, input.poison);
    ctx.log(`pipeline settled in ${seconds.toFixed(1)} s (${Math.round(input.rows / seconds)} rows/s), ${engine.counters.invocations} invocations`);
    const again = await redeliver(backend, engine, input.poison);
    ctx.log(`redelivered ${again} rows to ${names.load} and their results to ${names.finished}, as an at-least-once queue may`);

    // Every row of the file: clean ones processed exactly once, the others absent.
    let processed = 0;
    let wrong = 0;
    let cents = 0;
    for (let i = 1; i <= input.rows; i++) {
      const item = (await backend.tables.get(names.table, { transaction_id: `TX${String(i).padStart(8, '0')}` })) as TransactionItem | undefined;
      if (!item) continue;
      if (item.stage === 'processed' && item.updates === 1 && typeof item.fee === 'number') processed++;
      else if (wrong++ < 3) check.expect('every loaded row processed exactly once', false, JSON.stringify({ id: item.transaction_id, stage: item.stage, updates: item.updates }));
      cents += Math.round(item.amount * 100);
    }
    check.expect('every clean row processed exactly once', processed === input.clean && wrong === 0, `${processed} of ${input.clean} processed, ${wrong} not`);
    check.expect('the amounts add up to the clean rows of the input', cents === input.cleanAmountCents, `${cents} vs ${input.cleanAmountCents} cents`);

    // The cleaning's rejects, with line numbers and reasons.
    const rejected = (await backend.objects.get(names.bucket, `rejected/${uploadKey.replace(/^incoming\//, '')}.jsonl`)).body.toString('utf8').split('\n').filter(Boolean);
    const withReasons = rejected.map((l) => JSON.parse(l) as { line?: number; reasons?: string[] }).filter((r) => Number.isInteger(r.line) && (r.reasons?.length ?? 0) > 0);
    check.expect('malformed rows rejected with line numbers and reasons', withReasons.length === input.malformed, `${withReasons.length} of ${input.malformed}`);

    // The poison rows: each alone in a DLQ message, after 3 tries.
    // Each DLQ message once: received with a visibility timeout (hidden until the demo is over) and
    // without counting an attempt, until the queue shows no more.
    const dead = [];
    for (;;) {
      const got = await backend.queues.receive(`${names.load}-dlq`, { maxMessages: 10, visibilityTimeoutMs: 60_000, countAttempt: false });
      if (got.length === 0) break;
      dead.push(...got);
    }
    // On aws a message's attempts are SQS's ApproximateReceiveCount, which counts every receive: the
    // one on which SQS moved it to the DLQ and this read too (countAttempt: false cannot stop it;
    // src/backends/aws/queues/store.ts). There the 3 tries are counted from the load handler's own
    // log lines instead ("message <id>: row refused (try n)"), as SQS keeps the message id.
    const aws = demoBackend(ctx) === 'aws';
    const tries = aws ? await refusedTries(backend) : new Map<string, number>();
    const poisonOnly = dead.filter((m) => {
      const rows = JSON.parse(m.body) as TransactionItem[];
      return rows.length === 1 && Buffer.byteLength(rows[0]!.transaction_id) > 2048 && (aws ? tries.get(m.messageId) === 3 : m.attempts === 3);
    });
    const seen = aws ? `handler tries ${[...new Set(dead.map((m) => tries.get(m.messageId) ?? 0))].join(', ')} (SQS receive counts ${[...new Set(dead.map((m) => m.attempts))].join(', ')})` : `attempts ${[...new Set(dead.map((m) => m.attempts))].join(', ')}`;
    check.expect('each poison row alone in load-dlq after 3 tries', dead.length === input.poison && poisonOnly.length === input.poison, `${dead.length} messages, ${poisonOnly.length} single poison rows after 3 tries; ${seen}`);
    const dlqs = await Promise.all([names.uploads, names.process, names.finished].map(async (q) => (await backend.queues.stats(q)).deadLettered ?? 0));
    check.expect('no other dead letters', dlqs.every((n) => n === 0), dlqs.join(', '));

    // Logs: counts and reasons only, never an event or a row.
    let lines = 0;
    let leaks = 0;
    let firstLeak = '';
    for (const fn of ['clean', 'load', 'route', 'process', 'update']) {
      for (const run of await backend.runs.list({ fn, limit: 100_000 })) {
        for (const log of await backend.runs.logs(run.id)) {
          lines++;
          if (log.message.length > 400 || /"Records"|customer_name|"body"/.test(log.message)) {
            if (leaks++ === 0) firstLeak = `; the first: ${log.message.slice(0, 300)}`;
          }
        }
      }
    }
    check.expect('no log line holds an event or a row', leaks === 0 && lines > 0, `${leaks} of ${lines} lines${firstLeak}`);
    ctx.log(`${processed} processed exactly once; ${withReasons.length} rejected by cleaning; ${dead.length} poison rows in ${names.load}-dlq; ${lines} log lines, none with an event`);

    return {
      summary: `${input.rows} rows: ${processed} processed exactly once, ${withReasons.length} rejected, ${dead.length} poison in the DLQ, ${seconds.toFixed(1)} s`,
      failures: check.failures,
    };
  } finally {
    await engine.stop({ deadlineMs: 5000 });
    await app.close();
  }
}
