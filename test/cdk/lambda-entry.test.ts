/**
 * The Lambda entry baton synth deploys, run as Lambda would run it: the quickstart's ingest-orders
 * handler bundled by the same bundler as BatonApp (esbuild, ESM, AWS SDK external), loaded in a
 * fresh Node process with only the environment the construct sets (BATON_BACKEND=aws,
 * BATON_AWS_PREFIX) plus the region, test credentials and the emulators' endpoints, and invoked
 * with an AWS-shaped SQS event carrying S3's event; and keep-totals with a DynamoDB stream event.
 * Their effects land in DynamoDB Local.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../examples/quickstart/baton.config.ts';
import { bundleHandler } from '../../src/cdk/bundle.ts';
import { releaseStaging } from '../../src/cdk/index.ts';
import { duckdbPackages } from '../../src/cdk/duckdb-layer.ts';
import { connectEnv } from '../../src/cdk/fn.ts';
import { awsTestCredentials, awsTestEndpoints, awsTestRegion, dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

// The temporary bundle and layer folders (CDK has copied what it made from them).
afterAll(releaseStaging);

const skip = dynamoSkipReason();

describe.skipIf(skip)(`the bundled Lambda entry on the aws backend (fauxqs + DynamoDB Local)${skip ? `: skipped, ${skip}` : ''}`, () => {
  let h: AwsHarness;
  let dir: string;
  const scratch = mkdtempSync(join(tmpdir(), 'baton-entry-'));

  beforeAll(async () => {
    h = makeAwsBackend();
    // Dead-letter queues before the queues that name them, queues before the bucket notifying one.
    for (const q of [...config.queues].sort((a, b) => Number(!!a.deadLetter) - Number(!!b.deadLetter))) await h.backend.queues.declare(q);
    for (const b of config.buckets) await h.backend.objects.declare(b);
    for (const t of config.tables) await h.backend.tables.declare(t);
    const fn = config.fns.find((f) => f.name === 'ingest-orders')!;
    dir = bundleHandler(fn.name, fn.module, fn.handler, resolve('examples/quickstart'), 'nodejs22.x').dir;
    // Lambda's runtime provides the AWS SDK; the repository's node_modules stands in for it.
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reads the uploaded file named by the S3 event and writes each order to the table', async () => {
    const orders = [{ customer: 'ada', id: 1, amount: 12.5 }, { customer: 'bob', id: 2, amount: 3 }];
    await h.backend.objects.put('uploads', 'incoming/orders 1.json', JSON.stringify(orders));
    const physical = `${h.prefix}uploads`;
    const s3Event = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: awsTestRegion, eventName: 'ObjectCreated:Put', s3: { s3SchemaVersion: '1.0', bucket: { name: physical, arn: `arn:aws:s3:::${physical}` }, object: { key: 'incoming/orders+1.json', size: 10 } } }] };
    const sqsEvent = { Records: [{ messageId: 'm-1', receiptHandle: 'r-1', body: JSON.stringify(s3Event), attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:${awsTestRegion}:000000000000:${h.prefix}ingest`, awsRegion: awsTestRegion }] };
    const endpoints = awsTestEndpoints();
    const script = `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); const out = await m.handler(${JSON.stringify(sqsEvent)}, { functionName: 'ingest-orders', getRemainingTimeInMillis: () => 10000 }); console.log('RESULT ' + JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: scratch,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        ...connectEnv(h.prefix),
        AWS_REGION: awsTestRegion,
        AWS_ACCESS_KEY_ID: awsTestCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: awsTestCredentials.secretAccessKey,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
        AWS_ENDPOINT_URL_SQS: endpoints.sqs,
        AWS_ENDPOINT_URL_SNS: endpoints.sns,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodbstreams,
      },
    });
    const result = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    // (The SDK may warn about the Node version on stderr; a failed record would log 'failed'.)
    expect(run.stderr, run.stdout).not.toMatch(/failed|Error:/);
    expect(run.status).toBe(0);
    expect(JSON.parse(result!.slice('RESULT '.length))).toEqual({ batchItemFailures: [] });
    expect(run.stdout).toContain('wrote 2 orders from incoming/orders 1.json');
    expect(await h.backend.tables.get('orders', { customer: 'ada', id: 1 })).toMatchObject({ amount: 12.5 });
    expect(await h.backend.tables.get('orders', { customer: 'bob', id: 2 })).toMatchObject({ amount: 3 });
  });

  it("keep-totals: a DynamoDB stream event (attribute-value images) adds each order's change to its customer's total", async () => {
    const fn = config.fns.find((f) => f.name === 'keep-totals')!;
    const totalsDir = bundleHandler(fn.name, fn.module, fn.handler, resolve('examples/quickstart'), 'nodejs22.x').dir;
    symlinkSync(resolve('node_modules'), join(totalsDir, 'node_modules'));
    const image = (customer: string, id: number, amount: number) => ({ customer: { S: customer }, id: { N: String(id) }, amount: { N: String(amount) } });
    const record = (n: number, eventName: string, keys: object, dynamodb: object) => ({ eventID: `e${n}`, eventName, eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: awsTestRegion, eventSourceARN: `arn:aws:dynamodb:${awsTestRegion}:000000000000:table/${h.prefix}orders/stream/2026-01-01T00:00:00.000`, dynamodb: { Keys: keys, SequenceNumber: String(100 + n), SizeBytes: 64, StreamViewType: 'NEW_AND_OLD_IMAGES', ...dynamodb } });
    const streamEvent = {
      Records: [
        record(1, 'INSERT', { customer: { S: 'cy' }, id: { N: '7' } }, { NewImage: image('cy', 7, 12.5) }),
        record(2, 'MODIFY', { customer: { S: 'di' }, id: { N: '8' } }, { OldImage: image('di', 8, 3), NewImage: image('di', 8, 5) }),
        record(3, 'REMOVE', { customer: { S: 'cy' }, id: { N: '9' } }, { OldImage: image('cy', 9, 2) }),
      ],
    };
    const endpoints = awsTestEndpoints();
    const script = `const m = await import(${JSON.stringify(join(totalsDir, 'index.mjs'))}); const out = await m.handler(${JSON.stringify(streamEvent)}, { functionName: 'keep-totals', getRemainingTimeInMillis: () => 10000 }); console.log('RESULT ' + JSON.stringify(out ?? null));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: scratch,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...connectEnv(h.prefix), AWS_REGION: awsTestRegion, AWS_ACCESS_KEY_ID: awsTestCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: awsTestCredentials.secretAccessKey, AWS_ENDPOINT_URL_S3: endpoints.s3, AWS_ENDPOINT_URL_SQS: endpoints.sqs, AWS_ENDPOINT_URL_SNS: endpoints.sns, AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb, AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodbstreams },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('RESULT null');
    expect(await h.backend.tables.get('totals', { customer: 'cy' })).toMatchObject({ total: 10.5 });
    expect(await h.backend.tables.get('totals', { customer: 'di' })).toMatchObject({ total: 2 });
  });
});

const duck = duckdbPackages(resolve('examples/csv-pipeline'));

describe.skipIf(!('found' in duck))(`a bundle that reaches DuckDB, laid out as Lambda lays it out${'missing' in duck ? `: skipped, ${duck.missing}` : ''}`, () => {
  it("loads DuckDB from the layer's nodejs/node_modules through NODE_PATH, and fails to load without the layer", () => {
    const base = mkdtempSync(join(tmpdir(), 'baton-duckdb-entry-'));
    try {
      const bundle = bundleHandler('clean', './handlers/clean.ts', 'handler', resolve('examples/csv-pipeline'), 'nodejs22.x', true);
      expect(bundle.duckdb).toBe(true);
      // /var/task: the bundle, and the runtime's AWS SDK; /opt: the layer.
      mkdirSync(join(base, 'task', 'node_modules'), { recursive: true });
      cpSync(join(bundle.dir, 'index.mjs'), join(base, 'task', 'index.mjs'));
      symlinkSync(resolve('node_modules/@aws-sdk'), join(base, 'task', 'node_modules', '@aws-sdk'));
      if ('found' in duck) for (const [pkg, from] of duck.found) cpSync(from, join(base, 'opt', 'nodejs', 'node_modules', pkg), { recursive: true, dereference: true });
      const load = (nodePath: string | undefined) =>
        spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(base, 'task', 'index.mjs'))}); console.log(typeof m.handler);`], {
          cwd: join(base, 'task'),
          encoding: 'utf8',
          env: { PATH: process.env.PATH, ...connectEnv('csv-'), AWS_REGION: awsTestRegion, ...(nodePath ? { NODE_PATH: nodePath } : {}) },
        });
      const withLayer = load(join(base, 'opt', 'nodejs', 'node_modules'));
      expect(withLayer.stderr).not.toMatch(/Error/);
      expect(withLayer.stdout.trim()).toBe('function');
      const without = load(undefined);
      expect(without.status).not.toBe(0);
      expect(without.stderr).toMatch(/Cannot find module '@duckdb\/node-api'/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
