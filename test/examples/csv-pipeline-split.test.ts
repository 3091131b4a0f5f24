// The csv-pipeline's load handler splits a refused (poison) row out of its batch into a message of
// its own. A batch delivered again (at-least-once: the handler died after the split, before the
// batch was deleted) must not split the row again, or the row reaches load-dlq twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import config from '../../examples/csv-pipeline/baton.config.ts';
import { rowId, splitsTable } from '../../examples/csv-pipeline/handlers/split.ts';
import { names, type Transaction } from '../../examples/csv-pipeline/schema.ts';
import type { ReceivedMessage } from '../../src/ports/queues.ts';
import { openApp, type App } from '../../src/root/open-app.ts';
import { sqsEvent } from '../../src/runtime/triggers/events/sqs.ts';

const spec = { ...config, root: dirname(fileURLToPath(new URL('../../examples/csv-pipeline/baton.config.ts', import.meta.url))) };

let opened: App | undefined;
let dir: string | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function open(): Promise<App> {
  dir = mkdtempSync(join(tmpdir(), 'baton-csv-split-'));
  opened = await openApp(spec, { backend: 'local', local: { dir } });
  await opened.provision();
  return opened;
}

function row(id: string): Transaction {
  return {
    transaction_id: id,
    account_id: 'AC000001',
    customer_name: 'Ada Lovelace',
    merchant: 'Lulu',
    merchant_category: 'grocery',
    amount: 12.5,
    currency: 'BHD',
    country: 'BH',
    city: 'Manama',
    card_type: 'debit',
    channel: 'pos',
    status: 'approved',
    created_at: '2021-07-01T10:00:00Z',
  };
}

// A poison row, as generate.ts makes them: clean by the schema, but its key is longer than the
// table takes (2048 bytes), so the table refuses it.
const poison = row(`TX00000002-${'9'.repeat(2100)}`);
const batch = [row('TX00000001'), poison, row('TX00000003')];

/** The SQS event of one delivery of the batch message: the same message id every time, as SQS keeps it. */
function delivery(n: number): SQSEvent {
  return {
    Records: [
      {
        messageId: 'batch-0001',
        receiptHandle: `receipt-${n}`,
        body: JSON.stringify(batch),
        attributes: { ApproximateReceiveCount: String(n), SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${names.load}`,
        awsRegion: 'us-east-1',
      },
    ],
  };
}

async function invokeLoad(app: App, event: SQSEvent): Promise<SQSBatchResponse> {
  const inv = await app.invoke('load', event);
  expect(inv.error).toBeUndefined();
  return inv.result as SQSBatchResponse;
}

/** Every message now in the load queue, received once (hidden for the rest of the test). */
async function drain(app: App): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  for (;;) {
    const some = await app.backend.queues.receive(names.load, { maxMessages: 10, visibilityTimeoutMs: 60_000 });
    if (some.length === 0) return got;
    got.push(...some);
  }
}

describe('examples/csv-pipeline: a refused row is split out once, however often its batch is delivered', { timeout: 60_000 }, () => {
  it('a batch delivered twice sends the poison row out alone once', async () => {
    const app = await open();
    expect(await invokeLoad(app, delivery(1))).toEqual({ batchItemFailures: [] });
    // The handler "died" before the batch was deleted: SQS delivers the same message again.
    expect(await invokeLoad(app, delivery(2))).toEqual({ batchItemFailures: [] });
    expect(await invokeLoad(app, delivery(3))).toEqual({ batchItemFailures: [] });

    const sent = await drain(app);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toEqual([poison]);
    expect(await app.backend.tables.get(names.table, { transaction_id: 'TX00000001' })).toMatchObject({ stage: 'loaded' });
    expect(await app.backend.tables.get(names.table, { transaction_id: 'TX00000003' })).toMatchObject({ stage: 'loaded' });

    // The split message itself fails (its row is refused) and is reported, to retry and dead-letter alone.
    const result = await invokeLoad(app, sqsEvent(names.load, sent));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sent[0]!.messageId }]);
  });

  it('a crash between the marker and the send loses nothing: the next delivery sends the row', async () => {
    const app = await open();
    // As a first delivery leaves it when it dies after writing the marker, before sending.
    await app.backend.tables.put(splitsTable, { row_id: rowId(poison.transaction_id), state: 'sending', token: 'died-before-send', source: 'batch-0001' });
    expect(await invokeLoad(app, delivery(2))).toEqual({ batchItemFailures: [] });
    expect(await invokeLoad(app, delivery(3))).toEqual({ batchItemFailures: [] });
    const sent = await drain(app);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toEqual([poison]);
  });

  it('a crash between the send and marking it sent: the copy sent again is dropped, one message dead-letters', async () => {
    const app = await open();
    const key = { row_id: rowId(poison.transaction_id) };
    await invokeLoad(app, delivery(1));
    // As a first delivery leaves it when it dies after sending, before marking the marker sent.
    await app.backend.tables.update(splitsTable, key, { set: { state: 'sending' } });
    await invokeLoad(app, delivery(2));
    const sent = await drain(app);
    expect(sent).toHaveLength(2);

    // Both copies are delivered (in either order): one is the row's split message and fails, to
    // dead-letter; the other is a copy of it and is dropped.
    for (const order of [sent, [...sent].reverse()]) {
      const result = await invokeLoad(app, sqsEvent(names.load, order));
      expect(result.batchItemFailures).toHaveLength(1);
    }
    const owner = (await app.backend.tables.get(splitsTable, key)) as { token: string; state: string };
    expect(owner.state).toBe('sent');
    const failing = sent.find((m) => m.attributes.split_token === owner.token);
    expect(failing).toBeDefined();
    expect((await invokeLoad(app, sqsEvent(names.load, sent))).batchItemFailures).toEqual([{ itemIdentifier: failing!.messageId }]);
  });

  it('the first split copy to be tried owns the row when the marker was never marked sent', async () => {
    const app = await open();
    const key = { row_id: rowId(poison.transaction_id) };
    await invokeLoad(app, delivery(1));
    await app.backend.tables.update(splitsTable, key, { set: { state: 'sending' } });
    const [first] = await drain(app);
    // The split message is tried (and fails) before the batch comes back: it claims the row ...
    expect((await invokeLoad(app, sqsEvent(names.load, [first!]))).batchItemFailures).toEqual([{ itemIdentifier: first!.messageId }]);
    // ... so the batch delivered again sends nothing.
    await invokeLoad(app, delivery(2));
    expect(await drain(app)).toEqual([]);
  });
});
