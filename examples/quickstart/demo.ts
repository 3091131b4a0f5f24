// The quickstart demo: runs baton.config.ts's functions and triggers on the embedded backend, or
// on aws when the context says so (as `baton dev` would), feeds it order files, and checks every
// outcome.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextFireTimes } from '../../src/core/schedule/index.ts';
import type { Backend } from '../../src/ports/backend.ts';
import { checks, demoBackend, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import { openDemoApp } from '../../src/root/demo-app.ts';
import config from './baton.config.ts';

// Handler modules resolve against the config's folder, as `baton dev` loads it.
const spec = { ...config, root: dirname(fileURLToPath(import.meta.url)) };

const customers = 7;

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

async function totalOf(backend: Backend): Promise<number> {
  let sum = 0;
  for (let c = 0; c < customers; c++) sum += ((await backend.tables.get('totals', { customer: `c${c}` }))?.total as number | undefined) ?? 0;
  return sum;
}

async function countOrders(backend: Backend): Promise<number> {
  let n = 0;
  for (let c = 0; c < customers; c++) {
    let start: Record<string, string | number> | undefined;
    do {
      const page = await backend.tables.query('orders', { partition: `c${c}`, limit: 1000, ...(start ? { exclusiveStartKey: start } : {}) });
      n += page.items.length;
      start = page.lastEvaluatedKey;
    } while (start);
  }
  return n;
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  const { app, backend } = await openDemoApp(spec, ctx);
  const engine = await app.startEngine({ closeExecutor: true, onError: (where, err) => check.expect(`no engine error (${where})`, false, String(err)) });
  const alerts = join(ctx.dir, 'alerts.jsonl');
  const alertLines = () => (existsSync(alerts) ? readFileSync(alerts, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Message: string }) : []);
  try {
    const files = ctx.small ? 4 : 40;
    const perFile = ctx.small ? 25 : 250;
    const expectedOrders = files * perFile;

    // 1. Upload order files, and one broken file that will poison its message.
    for (let f = 0; f < files; f++) {
      const orders = Array.from({ length: perFile }, (_, i) => ({ customer: `c${(f * perFile + i) % customers}`, id: f * perFile + i, amount: (i % 10) + 1 }));
      await backend.objects.put('uploads', `incoming/day 1/orders-${f}.json`, JSON.stringify(orders), { contentType: 'application/json' });
    }
    await backend.objects.put('uploads', 'incoming/day 1/broken.json', '[{"customer": "c1", "id": ');
    await backend.objects.put('uploads', 'notes/readme.txt', 'not an order file: no event (prefix and suffix filters)');
    ctx.log(`uploaded ${files} order files of ${perFile} orders, one broken file and one unrelated object`);

    // 2. The queue trigger runs ingest-orders; the stream trigger runs keep-totals; the broken file
    //    fails twice, moves to the DLQ, and the alarm publishes once.
    let expectedTotal = 0;
    for (let i = 0; i < perFile; i++) expectedTotal += files * ((i % 10) + 1);
    await until('all orders and totals', async () => (await totalOf(backend)) === expectedTotal && (await countOrders(backend)) === expectedOrders);
    await until('the broken file in the DLQ and one alarm', async () => (await backend.queues.stats('ingest')).deadLettered === 1 && alertLines().length === 1);
    const dead = await backend.queues.redrive('ingest-dlq', { dryRun: true });
    const lastError = dead.messages[0]?.lastError?.message;
    if (demoBackend(ctx) === 'aws') {
      // SQS keeps no error with a dead-lettered message (src/backends/aws/queues/store.ts): only its source queue.
      check.expect('the dead-lettered message names its source queue', dead.messages[0]?.sourceQueue === 'ingest', dead.messages[0]?.sourceQueue);
      ctx.log(`${expectedOrders} orders written and totalled; DLQ holds ${dead.messages.length} message from ${dead.messages[0]?.sourceQueue} (no last error: SQS keeps none with a dead-lettered message)`);
    } else {
      check.expect('the dead-lettered message keeps its last error', lastError !== undefined && lastError !== '', lastError);
      ctx.log(`${expectedOrders} orders written and totalled; DLQ holds ${dead.messages.length} message: ${lastError}`);
    }
    check.expect('the DLQ holds the broken file alone', dead.messages.length === 1, `${dead.messages.length} messages`);
    check.expect('the alarm says ALARM', alertLines()[0]?.Message.includes('"NewStateValue":"ALARM"') === true, alertLines()[0]?.Message);

    // 3. Fix the file and redrive: the message runs again and the alarm recovers, once.
    await backend.objects.put('uploads', 'incoming/day 1/broken.json', JSON.stringify([{ customer: 'c1', id: 1_000_000, amount: 5 }]));
    const moved = await backend.queues.redrive('ingest-dlq');
    await until('the fixed file processed and the alarm back to OK', async () => (await totalOf(backend)) === expectedTotal + 5 && alertLines().length === 2 && (await backend.queues.stats('ingest')).inFlight === 0);
    check.expect('the alarm recovers once', alertLines()[1]?.Message.includes('"NewStateValue":"OK"') === true, alertLines()[1]?.Message);
    ctx.log(`redrove ${moved.moved} message after the fix; totals now ${await totalOf(backend)}`);

    // 4. Every invocation is a run with its logs.
    const runs = await backend.runs.list({ fn: 'ingest-orders', limit: 1000 });
    const orderCount = await countOrders(backend);
    check.expect('every order once', orderCount === expectedOrders + 1, `${orderCount} orders`);
    // A run whose batch reported the broken file in batchItemFailures is recorded as a partial failure naming it.
    const partial = runs.filter((r) => r.status === 'error' && r.error?.type === 'BatchItemFailures');
    check.expect(
      'runs recorded: ok, or a partial batch naming the broken file alone',
      runs.length > 0 && partial.length > 0 && runs.every((r) => r.status === 'ok' || (partial.includes(r) && /^1 of \d+ messages reported/.test(r.error!.message))),
      `${runs.length} runs: ${runs.map((r) => r.status + (r.error ? ` (${r.error.message})` : '')).filter((t) => t !== 'ok').join('; ')}`,
    );
    ctx.log(`${engine.counters.invocations} invocations (${runs.length} of ingest-orders), ${alertLines().length} alert notifications`);

    // 5. The schedule (disabled here): when it would fire, every 20 minutes 06:00-08:40 London time.
    const s = spec.schedules[0]!;
    const next = nextFireTimes(s.expression, { after: Date.UTC(2026, 6, 1, 9, 0), timezone: s.timezone, count: 3 }).map((t) => new Date(t).toISOString());
    check.expect('schedule fires at 06:00 London (05:00 UTC in summer)', next[0] === '2026-07-02T05:00:00.000Z', next[0]);
    ctx.log(`${s.name} (${s.source}, ${s.timezone}) next: ${next.join(', ')}`);

    return { summary: `${orderCount} orders, totals ${await totalOf(backend)}, 1 dead-lettered and redriven, ${alertLines().length} alerts`, failures: check.failures };
  } finally {
    await engine.stop({ deadlineMs: 5000 });
    await app.close();
  }
}
