// npm run bench -- aws: what the aws backend costs in requests, the unit AWS bills, against the
// emulators started here on 127.0.0.1 (fauxqs for SQS, DynamoDB Local for DynamoDB). Requests are
// counted by SDK middleware (the backend's onRequest option and the same middleware on the naive
// clients), never estimated. Each figure stands beside a naive one-call-per-message client measured
// in the same run: that is the baseline.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAws, type AwsBackend } from '../src/backends/aws/index.ts';
import type { AwsService } from '../src/backends/aws/options.ts';
import { app } from '../src/core/app.ts';
import { fn } from '../src/core/resources/fn.ts';
import { queue } from '../src/core/resources/queue.ts';
import { startEngine } from '../src/runtime/engine/index.ts';
import { startDynamoDbLocal } from '../test/servers/dynamodb-local.ts';
import { startFauxqs } from '../test/servers/fauxqs.ts';
import { report, type Figure } from './report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';
const BODY = JSON.stringify({ orderId: 'ord-000000', customer: 'cus-0000', amount: 1234, items: ['sku-1', 'sku-2'] });

type Counts = Record<AwsService, number>;
const zero = (): Counts => ({ s3: 0, sqs: 0, sns: 0, dynamodb: 0, dynamodbstreams: 0, ssm: 0 });

/** Counts each request as it is sent (retries too), as the backend's own onRequest does. */
function countRequests(client: { middlewareStack: { add: SQSClient['middlewareStack']['add'] } }, onSend: () => void): void {
  client.middlewareStack.add((next) => async (args) => {
    onSend();
    return next(args);
  }, { step: 'finalizeRequest', name: 'benchRequestCount' });
}

function backendOn(endpoints: { sqs: string; dynamodb: string }, prefix: string, counts: Counts): AwsBackend {
  return openAws({ region, credentials, prefix, endpoints: { sqs: endpoints.sqs, s3: endpoints.sqs, sns: endpoints.sqs, dynamodb: endpoints.dynamodb, dynamodbstreams: endpoints.dynamodb }, onRequest: (service) => counts[service]++ }, {});
}

/**
 * SQS requests per message through Baton's queue trigger: the backlog sent with sendBatch, then the
 * engine's trigger (batch size 10, SQS's maximum) receives, runs a no-op handler and deletes. The
 * engine is stopped as soon as the queue is empty, so idle polling is not counted.
 */
async function sqsViaTrigger(endpoints: { sqs: string; dynamodb: string }, total: number): Promise<{ sqs: number; runRecords: number }> {
  const counts = zero();
  const backend = backendOn(endpoints, `bq${Date.now()}-`, counts);
  const spec = app('bench', [queue('bench', { visibilityTimeout: '1m' }), fn('noop', './sqs-noop.ts', { timeout: '10s', triggers: [{ queue: 'bench', batchSize: 10 }] })]);
  const engine = await startEngine({ backend, spec: { ...spec, root: join(here, 'handlers') } });
  try {
    const start = { ...counts };
    for (let sent = 0; sent < total; sent += 10) {
      const out = await backend.queues.sendBatch('bench', Array.from({ length: Math.min(10, total - sent) }, () => ({ body: BODY })));
      if (out.some((r) => !r.ok)) throw new Error('a send failed');
    }
    while (engine.counters.invocations < total / 10) await new Promise((r) => setTimeout(r, 10));
    await engine.stop();
    const left = await backend.queues.stats('bench');
    if (left.visible + left.inFlight + left.delayed !== 0) throw new Error(`${left.visible + left.inFlight + left.delayed} messages left`);
    return { sqs: (counts.sqs - start.sqs) / total, runRecords: (counts.dynamodb - start.dynamodb) / total };
  } finally {
    await engine.stop();
    await backend.close();
  }
}

/** The naive client: SendMessage, ReceiveMessage (one message) and DeleteMessage per message. */
async function sqsNaive(endpoint: string, total: number): Promise<number> {
  const sqs = new SQSClient({ region, credentials, endpoint });
  let requests = 0;
  countRequests(sqs, () => requests++);
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `naive${Date.now()}` }));
    requests = 0;
    for (let i = 0; i < total; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: BODY }));
    for (let done = 0; done < total; ) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
      for (const m of got.Messages ?? []) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
        done++;
      }
    }
    return requests / total;
  } finally {
    sqs.destroy();
  }
}

/** DynamoDB requests per item for a conditional batch load as the csv-pipeline's load handler does it. */
async function dynamoBatchLoad(endpoint: string, total: number): Promise<number> {
  const counts = zero();
  const backend = backendOn({ sqs: 'http://127.0.0.1:9', dynamodb: endpoint }, `bd${Date.now()}-`, counts);
  try {
    await backend.tables.declare({ name: 'rows', partitionKey: { name: 'id', type: 'string' } });
    const start = counts.dynamodb;
    // One message of 500 rows at a time, its chunks of 25 (batchWrite's limit, as DynamoDB's) sent at once.
    const message = 500;
    for (let i = 0; i < total; i += message) {
      const rows = Array.from({ length: Math.min(message, total - i) }, (_, j) => ({ id: `row-${i + j}`, amount: i + j, stage: 'loaded' }));
      const chunks = Array.from({ length: Math.ceil(rows.length / 25) }, (_, c) => rows.slice(c * 25, c * 25 + 25));
      const written = await Promise.all(chunks.map((chunk) => backend.tables.batchWrite('rows', chunk.map((row) => ({ put: row, condition: { notExists: true } })))));
      const failed = written.flat().find((r) => !r.ok);
      if (failed) throw new Error(`a conditional put failed: ${failed.error?.message}`);
    }
    return (counts.dynamodb - start) / total;
  } finally {
    await backend.close();
  }
}

/** The naive client: one conditional PutItem per item. */
async function dynamoNaive(endpoint: string, table: string, total: number): Promise<number> {
  const ddb = new DynamoDBClient({ region, credentials, endpoint });
  let requests = 0;
  countRequests(ddb, () => requests++);
  try {
    for (let i = 0; i < total; i++) {
      await ddb.send(new PutItemCommand({ TableName: table, Item: marshall({ id: `naive-${i}`, amount: i, stage: 'loaded' }), ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'id' } }));
    }
    return requests / total;
  } finally {
    ddb.destroy();
  }
}

const fauxqs = await startFauxqs();
const dynamodb = await startDynamoDbLocal();
try {
  const messages = Number(process.env.BENCH_MESSAGES ?? 2000);
  const items = Number(process.env.BENCH_ITEMS ?? 5000);
  const viaTrigger = await sqsViaTrigger({ sqs: fauxqs.endpoint, dynamodb: dynamodb.endpoint }, messages);
  const naiveSqs = await sqsNaive(fauxqs.endpoint, Math.min(messages, 500));
  const load = await dynamoBatchLoad(dynamodb.endpoint, items);
  // The naive load writes into a table the batch load made: same table shape, same server.
  const tableCounts = zero();
  const probe = backendOn({ sqs: 'http://127.0.0.1:9', dynamodb: dynamodb.endpoint }, `bn${Date.now()}-`, tableCounts);
  await probe.tables.declare({ name: 'rows', partitionKey: { name: 'id', type: 'string' } });
  await probe.close();
  const naiveDdb = await dynamoNaive(dynamodb.endpoint, probe.context.names.table('rows'), Math.min(items, 1000));
  const figures: Figure[] = [
    { bench: 'aws', figure: 'sqs_requests_per_message', value: viaTrigger.sqs, unit: 'req/msg', baseline: naiveSqs, goal: '<= 0.35 at batch 10' },
    { bench: 'aws', figure: 'dynamodb_requests_per_item', value: load, unit: 'req/item', baseline: naiveDdb, goal: '<= 0.05' },
  ];
  report(figures, [
    `sqs: ${messages} messages sent with sendBatch, run by the queue trigger (batch 10) on a no-op fn and deleted; baseline: SendMessage + ReceiveMessage(1) + DeleteMessage per message (${Math.min(messages, 500)} messages), same fauxqs.`,
    `dynamodb: ${items} conditional puts (notExists) through tables.batchWrite, 500 rows a message in chunks of 25 sent at once, as the csv-pipeline's load handler; baseline: one conditional PutItem per item (${Math.min(items, 1000)} items), same DynamoDB Local.`,
    `beside the SQS requests, the trigger wrote run records to DynamoDB: ${viaTrigger.runRecords.toFixed(3)} DynamoDB requests per message (one run per batch of 10).`,
    'Requests are what AWS bills; they are counted by SDK middleware at send time, retries included.',
  ]);
} finally {
  await fauxqs.stop();
  await dynamodb.stop();
}
