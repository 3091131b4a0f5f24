/**
 * The files `baton init` writes: a bucket -> queue -> fn -> table pipeline whose table stream feeds
 * a second fn (one handler per trigger kind it uses: a queue, a table stream), a test that runs it
 * end to end on the embedded backend, and a tsconfig. Kept as strings so the built package needs
 * no asset files; `test/package/pack.test.ts` type-checks and runs them as a user would.
 */

export interface Template {
  path: string;
  text: string;
}

const config = (name: string) => `// The app: what Baton provisions and runs. \`npx baton dev\` runs it on this machine (SQLite and
// files under .baton/); the handlers are ordinary AWS Lambda handlers.
import { app, bucket, fn, queue, table } from 'baton';

export default app(${JSON.stringify(name)}, [
  // An order file (a JSON array) put under incoming/ sends an object-created event to the queue.
  bucket('uploads', { notifications: [{ events: ['created'], prefix: 'incoming/', suffix: '.json', target: { queue: 'orders-in' } }] }),
  // A message that fails 3 times moves to the dead-letter queue orders-in-dlq (\`npx baton redrive\`).
  queue('orders-in', { visibilityTimeout: '30s', deadLetter: { maxReceiveCount: 3 } }),
  table('orders', { partitionKey: 'id', stream: 'NEW_AND_OLD_IMAGES' }),
  table('totals', { partitionKey: 'customer' }),
  // queue -> fn: an SQS handler; each message body is an S3 event.
  fn('ingest', './handlers/ingest.ts', { timeout: '30s', triggers: [{ queue: 'orders-in', batchSize: 10 }] }),
  // table stream -> fn: a DynamoDB stream handler keeping a total per customer.
  fn('tally', './handlers/tally.ts', { timeout: '30s', triggers: [{ table: 'orders', batchSize: 100 }] }),
]);
`;

const ingest = `import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { connect } from 'baton/handler';

export interface Order {
  id: string;
  customer: string;
  amount: number;
}

// An SQS handler as AWS documents it. Each message is an S3 event; a message that fails is
// reported in batchItemFailures, so only it is delivered again.
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { objects, tables } = connect();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const s3 = JSON.parse(record.body) as S3Event;
      for (const r of s3.Records ?? []) {
        // S3 URL-encodes keys in events.
        const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, ' '));
        const { body } = await objects.get(r.s3.bucket.name, key);
        const orders = JSON.parse(body.toString('utf8')) as Order[];
        for (const order of orders) await tables.put('orders', { ...order });
        console.log(\`stored \${orders.length} order(s) from \${key}\`);
      }
    } catch (err) {
      console.error(\`message \${record.messageId} failed: \${(err as Error).message}\`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
`;

const tally = `import type { DynamoDBStreamEvent } from 'aws-lambda';
import { connect } from 'baton/handler';

// A DynamoDB stream handler as AWS documents it: images arrive in attribute-value JSON.
export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  const { tables } = connect();
  const amount = (image: Record<string, { N?: string }> | undefined) => Number(image?.amount?.N ?? 0);
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
    const customer = image?.customer?.S;
    if (!customer) continue;
    const change = amount(record.dynamodb?.NewImage) - amount(record.dynamodb?.OldImage);
    await tables.update('totals', { customer }, { add: { total: change } });
  }
};
`;

const test = `// Runs the whole pipeline on the embedded backend in a temp directory: put an order file, let the
// engine deliver its event through the queue and the table stream, then read the totals.
// Run with \`npm test\`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openApp } from 'baton/root';
import spec from '../baton.config.ts';

test('an uploaded order file ends up in the totals', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const app = await openApp({ ...spec, root: join(import.meta.dirname, '..') }, { local: { dir } });
  const engine = await app.startEngine();
  try {
    const orders = [
      { id: 'o-1', customer: 'ada', amount: 30 },
      { id: 'o-2', customer: 'ada', amount: 12 },
      { id: 'o-3', customer: 'bob', amount: 5 },
    ];
    await app.backend.objects.put('uploads', 'incoming/orders.json', JSON.stringify(orders));
    const deadline = Date.now() + 20_000;
    let total: unknown;
    while (Date.now() < deadline) {
      total = (await app.backend.tables.get('totals', { customer: 'ada' }))?.total;
      if (total === 42) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(total, 42);
  } finally {
    await engine.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
`;

const tsconfig = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2023"],
    "types": ["node"],
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "skipLibCheck": false,
    "isolatedModules": true,
    "verbatimModuleSyntax": false
  },
  "include": ["baton.config.ts", "handlers", "test"]
}
`;

const sample = JSON.stringify(
  [
    { id: 'o-1', customer: 'ada', amount: 30 },
    { id: 'o-2', customer: 'bob', amount: 5 },
  ],
  null,
  2,
);

export function templates(name: string): Template[] {
  return [
    { path: 'baton.config.ts', text: config(name) },
    { path: 'handlers/ingest.ts', text: ingest },
    { path: 'handlers/tally.ts', text: tally },
    { path: 'test/pipeline.test.ts', text: test },
    { path: 'tsconfig.json', text: tsconfig },
    { path: 'orders.sample.json', text: `${sample}\n` },
  ];
}

/** Scripts added to package.json (never replacing one the project has). */
export const scripts: Record<string, string> = {
  dev: 'baton dev',
  typecheck: 'tsc --noEmit',
  test: 'node --import tsx --test test/pipeline.test.ts',
};

/** Packages the scripts and the editor need, installed by the user (`npm install -D ...`). */
export const devPackages = ['typescript', '@types/node', 'tsx'];
