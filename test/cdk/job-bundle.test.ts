/**
 * A job handler's Lambda bundle as BatonApp deploys it (bundled behind the job entry), run relay
 * by relay in fresh Node processes against DynamoDB Local, with a stand-in for Lambda's Invoke API
 * on 127.0.0.1 (AWS_ENDPOINT_URL_LAMBDA) that accepts each async invoke (202) and keeps its event:
 * each invocation runs one relay and queues the next, until the job succeeds.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../src/cdk/bundle.ts';
import { connectEnv } from '../../src/cdk/fn.ts';
import { releaseStaging } from '../../src/cdk/index.ts';
import { awsTestCredentials, awsTestEndpoints, awsTestRegion, dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

afterAll(releaseStaging);

const run = promisify(execFile);
const skip = dynamoSkipReason();
const arn = 'arn:aws:lambda:us-east-1:000000000000:function:jobs-count';

describe.skipIf(skip)(`a job handler's bundle relaying itself through Lambda's async invoke${skip ? `: skipped, ${skip}` : ''}`, () => {
  let h: AwsHarness;
  let server: Server;
  let endpoint: string;
  let dir: string;
  const invokes: Array<{ path: string; type: string | undefined; body: unknown }> = [];
  const scratch = mkdtempSync(join(tmpdir(), 'baton-job-bundle-'));

  beforeAll(async () => {
    h = makeAwsBackend();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        invokes.push({ path: req.url ?? '', type: req.headers['x-amz-invocation-type'] as string | undefined, body: JSON.parse(body) as unknown });
        res.writeHead(202, { 'content-type': 'application/json' }).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const bundle = bundleHandler('count', './job.ts', 'handler', fileURLToPath(new URL('./fixtures/', import.meta.url)), 'nodejs22.x');
    expect(bundle.job).toBe(true);
    dir = bundle.dir;
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(resolve('node_modules/@aws-sdk'), join(dir, 'node_modules', '@aws-sdk'));
  }, 60_000);
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
    await h?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs one relay per invocation, queues the next as an Event invoke of its own ARN, and ends succeeded', async () => {
    const created = await h.backend.jobs.create({ fn: 'count', executor: 'function', budget: { maxRelays: 10, maxFailures: 2 } });
    const endpoints = awsTestEndpoints();
    const env = { PATH: process.env.PATH, ...connectEnv(h.prefix), BATON_FN: 'count', AWS_REGION: awsTestRegion, AWS_ACCESS_KEY_ID: awsTestCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: awsTestCredentials.secretAccessKey, AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb, AWS_ENDPOINT_URL_S3: endpoints.s3, AWS_ENDPOINT_URL_LAMBDA: endpoint };
    const replies: unknown[] = [];
    let event: unknown = { batonRelay: { job: created.id } };
    for (let i = 0; i < 5 && event; i++) {
      const script = `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log('RESULT ' + JSON.stringify(await m.handler(${JSON.stringify(event)}, { functionName: 'jobs-count', invokedFunctionArn: ${JSON.stringify(arn)}, memoryLimitInMB: '256', awsRequestId: 'r${i}', getRemainingTimeInMillis: () => 30000 })));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch, env });
      replies.push(JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice('RESULT '.length)));
      event = invokes[i]?.body;
    }
    expect(replies).toEqual([
      { job: created.id, status: 'queued', relay: 1 },
      { job: created.id, status: 'queued', relay: 2 },
      { job: created.id, status: 'succeeded', relay: 3 },
    ]);
    expect(invokes).toHaveLength(2);
    for (const inv of invokes) expect(inv).toEqual({ path: `/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`, type: 'Event', body: { batonRelay: { job: created.id } } });
    expect(await h.backend.jobs.get(created.id)).toMatchObject({ status: 'succeeded', result: { counted: 3 } });
  }, 120_000);
});
