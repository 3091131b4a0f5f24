// The quickstart demo: drives the resources of baton.config.ts through the embedded backend and
// checks every step's outcome. Functions and triggers (issue 3) will replace the hand-written loop.
import type { S3Event } from 'aws-lambda';
import { nextFireTimes } from '../../src/core/schedule/index.ts';
import { openLocal } from '../../src/backends/local/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import { checks, type DemoContext, type DemoResult } from '../../src/runtime/demo.ts';
import spec from './baton.config.ts';

interface Order {
  customer: string;
  id: number;
  amount: number;
}

export default async function demo(ctx: DemoContext): Promise<DemoResult> {
  const check = checks();
  const backend = openLocal({ dir: ctx.dir });
  try {
    await provision(backend, spec);
    const files = ctx.small ? 5 : 50;
    const perFile = ctx.small ? 20 : 200;

    // 1. Upload order files; one is broken JSON (a poison message for the queue).
    for (let f = 0; f < files; f++) {
      const orders: Order[] = Array.from({ length: perFile }, (_, i) => ({ customer: `c${(f * perFile + i) % 7}`, id: f * perFile + i, amount: (i % 10) + 1 }));
      await backend.objects.put('uploads', `incoming/day 1/orders-${f}.json`, JSON.stringify(orders), { contentType: 'application/json' });
    }
    await backend.objects.put('uploads', 'incoming/day 1/broken.json', '[{"customer": "c1", "id": ');
    await backend.objects.put('uploads', 'notes/readme.txt', 'not an order file: filtered out by prefix and suffix');
    ctx.log(`uploaded ${files + 1} order files (one broken) and one unrelated object`);

    // 2. Consume the object-created events: the S3 event shape, keys URL-encoded as S3 sends them.
    let written = 0;
    for (let round = 0; round < 10; round++) {
      const messages = await backend.queues.receive('ingest', { maxMessages: 10 });
      if (messages.length === 0) break;
      for (const m of messages) {
        const event = JSON.parse(m.body) as S3Event;
        const key = decodeURIComponent(event.Records[0]!.s3.object.key.replace(/\+/g, ' '));
        try {
          const { body } = await backend.objects.get('uploads', key);
          const orders = JSON.parse(body.toString('utf8')) as Order[];
          const res = await backend.tables.batchWrite('orders', orders.slice(0, 25).map((o) => ({ put: { ...o } })));
          for (let i = 25; i < orders.length; i += 25) await backend.tables.batchWrite('orders', orders.slice(i, i + 25).map((o) => ({ put: { ...o } })));
          written += orders.length;
          check.expect('batch writes succeed', res.every((r) => r.ok));
          await backend.queues.delete('ingest', m.receiptHandle);
        } catch (err) {
          await backend.queues.release('ingest', m.receiptHandle, { error: err });
        }
      }
    }
    const stats = await backend.queues.stats('ingest');
    ctx.log(`wrote ${written} orders; ingest queue: ${stats.visible} visible, ${stats.deadLettered ?? 0} dead-lettered`);
    check.expect('every order written', written === files * perFile, `${written} of ${files * perFile}`);
    check.expect('the broken file is in the DLQ', stats.deadLettered === 1, `DLQ depth ${stats.deadLettered}`);

    // 3. The DLQ has a message: alert once through the topic's file outbox.
    if ((stats.deadLettered ?? 0) > 0) {
      await backend.topics.publish('alerts', { subject: 'ingest-dlq in alarm', message: `ingest-dlq holds ${stats.deadLettered} message(s)` });
      await backend.topics.flush();
    }
    const deliveries = await backend.topics.deliveries('alerts');
    check.expect('one alert delivered', deliveries.filter((d) => d.status === 'delivered').length === 1);

    // 4. Fix the broken file, then redrive: a dry run first, then for real.
    const preview = await backend.queues.redrive('ingest-dlq', { dryRun: true });
    check.expect('dry run shows the last error', preview.messages[0]?.lastError?.message.includes('JSON') === true, preview.messages[0]?.lastError?.message);
    await backend.objects.put('uploads', 'incoming/day 1/broken.json', JSON.stringify([{ customer: 'c1', id: 1_000_000, amount: 5 }]));
    const moved = await backend.queues.redrive('ingest-dlq');
    let fixed = 0;
    for (const m of await backend.queues.receive('ingest', { maxMessages: 10 })) {
      const event = JSON.parse(m.body) as S3Event;
      const key = decodeURIComponent(event.Records[0]!.s3.object.key.replace(/\+/g, ' '));
      const orders = JSON.parse((await backend.objects.get('uploads', key)).body.toString('utf8')) as Order[];
      for (const o of orders) await backend.tables.put('orders', { ...o });
      fixed += orders.length;
      await backend.queues.delete('ingest', m.receiptHandle);
    }
    // The fixed upload made its own event too, so the file is read twice: writes keyed by order id
    // make the second one a no-op change (at-least-once delivery, idempotent effect).
    ctx.log(`redrove ${moved.moved} message(s) after the fix; ${fixed} order(s) written again by key`);

    // 5. Running totals from the table's stream, with the position checkpointed by compare-and-set.
    const totals = new Map<string, number>();
    let records = 0;
    let inserts = 0;
    for (;;) {
      const batch = await backend.tables.readStream('orders', 'totals', { limit: 500 });
      if (batch.length === 0) break;
      for (const r of batch) {
        const delta = ((r.newImage?.amount as number | undefined) ?? 0) - ((r.oldImage?.amount as number | undefined) ?? 0);
        totals.set(String(r.keys.customer), (totals.get(String(r.keys.customer)) ?? 0) + delta);
      }
      records += batch.length;
      inserts += batch.filter((r) => r.eventName === 'INSERT').length;
      const last = batch.at(-1)!.sequence;
      const current = await backend.params.get('/quickstart/totals/position');
      await backend.params.put('/quickstart/totals/position', { value: String(last), overwrite: true, expectedVersion: current.version });
      await backend.tables.commitStream('orders', 'totals', last);
    }
    const expectedTotal = files * perFile * 5.5 + 5;
    const total = [...totals.values()].reduce((a, b) => a + b, 0);
    check.expect('totals match the orders', total === expectedTotal, `${total} vs ${expectedTotal}`);
    check.expect('one item per order, none lost or doubled', inserts === files * perFile + 1, `${inserts} inserts`);
    const { items } = await backend.tables.query('orders', { partition: 'c3', sort: { between: [0, 99] } });
    check.expect('query by partition and sort range', items.length > 0 && items.every((i) => i.customer === 'c3' && (i.id as number) <= 99));
    ctx.log(`stream: ${records} records, total amount ${total}; checkpoint at ${(await backend.params.get('/quickstart/totals/position')).value}`);

    // 6. The schedule: when it fires next (every 20 minutes from 06:00 to 08:40, London time).
    const s = spec.schedules[0]!;
    const next = nextFireTimes(s.expression, { after: Date.UTC(2026, 6, 1, 9, 0), timezone: s.timezone, count: 3 }).map((t) => new Date(t).toISOString());
    check.expect('schedule fires at 06:00 London (05:00 UTC in summer)', next[0] === '2026-07-02T05:00:00.000Z', next[0]);
    ctx.log(`${s.name} (${s.source}, ${s.timezone}) next: ${next.join(', ')}`);

    return { summary: `${inserts} orders, ${records} stream records, 1 dead-lettered and redriven, 1 alert`, failures: check.failures };
  } finally {
    await backend.close();
  }
}
