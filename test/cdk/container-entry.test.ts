/**
 * The container executor's entry as the Fargate task runs it: fanout's csv-to-parquet bundled by
 * the same bundler as BatonApp's image (container.mjs, DuckDB loaded through NODE_PATH from where
 * the image puts it), run in a fresh Node process with the task's environment (BATON_EVENT, the
 * construct's connect() variables, the emulators' endpoints). The Parquet file and the catalog
 * partition land in S3 (fauxqs), and the handler sees the container executor and no time limit.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../examples/fanout/baton.config.ts';
import { lakeBucket, largeFileBytes, parquetKey, rawBucket, tableColumns, tableName, tablePrefix } from '../../examples/fanout/lake.ts';
import { bundleHandler } from '../../src/cdk/bundle.ts';
import { duckdbPackages } from '../../src/cdk/duckdb-layer.ts';
import { connectEnv } from '../../src/cdk/fn.ts';
import { releaseStaging } from '../../src/cdk/index.ts';
import { Catalog } from '../../src/data/catalog/index.ts';
import { awsTestCredentials, awsTestEndpoints, awsTestRegion, dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

afterAll(releaseStaging);

const duck = duckdbPackages(resolve('examples/fanout'));
const skip = dynamoSkipReason() ?? ('missing' in duck ? duck.missing : undefined);

describe.skipIf(skip)(`the container task's entry on the aws backend (fauxqs)${skip ? `: skipped, ${skip}` : ''}`, () => {
  let h: AwsHarness;
  const base = mkdtempSync(join(tmpdir(), 'baton-container-entry-'));

  beforeAll(async () => {
    h = makeAwsBackend();
    for (const b of config.buckets) await h.backend.objects.declare(b);
    const catalog = await Catalog.open(h.backend.objects);
    await catalog.putTable({ name: tableName, location: { bucket: lakeBucket, prefix: tablePrefix }, partitionKeys: ['file'], columns: tableColumns });
    const fn = config.fns.find((f) => f.name === 'csv-to-parquet')!;
    const bundle = bundleHandler(fn.name, fn.module, fn.handler, resolve('examples/fanout'), 'nodejs22.x', true, { kind: 'container', memoryMb: fn.memoryMb });
    expect(bundle.duckdb).toBe(true);
    // /var/task: the bundle and the runtime's AWS SDK; /opt/nodejs/node_modules: DuckDB, as the Dockerfile lays them out.
    mkdirSync(join(base, 'task', 'node_modules'), { recursive: true });
    cpSync(join(bundle.dir, 'container.mjs'), join(base, 'task', 'container.mjs'));
    symlinkSync(resolve('node_modules/@aws-sdk'), join(base, 'task', 'node_modules', '@aws-sdk'));
    if ('found' in duck) {
      for (const [pkg, from] of duck.found) {
        const to = join(base, 'opt', 'nodejs', 'node_modules', pkg);
        mkdirSync(dirname(to), { recursive: true });
        symlinkSync(from, to, 'dir');
      }
    }
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('converts the CSV named by BATON_EVENT, registers its partition, exits 0, and says it ran in the container with no time limit', async () => {
    const csv = 'id,ts,sensor,reading,status\n1,2026-01-01T00:00:00Z,a,1.5,ok\n2,2026-01-01T00:01:00Z,b,2.5,warn\n';
    await h.backend.objects.put(rawBucket, 'incoming/big-1.csv', csv);
    const endpoints = awsTestEndpoints();
    const run = spawnSync(process.execPath, [join(base, 'task', 'container.mjs')], {
      cwd: join(base, 'task'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        NODE_PATH: join(base, 'opt', 'nodejs', 'node_modules'),
        ...connectEnv(h.prefix),
        BATON_FN: 'csv-to-parquet',
        BATON_EVENT: JSON.stringify({ bucket: rawBucket, key: 'incoming/big-1.csv', size: csv.length }),
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
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('incoming/big-1.csv: 2 rows -> tables/readings/file=big-1/data.parquet (0 rejected, no time limit)');
    expect(run.stdout).toMatch(/fn "csv-to-parquet" returned: \{.*"rows":2.*"executor":"container"/);
    const head = await h.backend.objects.head(lakeBucket, parquetKey('incoming/big-1.csv'));
    expect(head.size).toBeGreaterThan(0);
    const parts = await new Catalog(h.backend.objects).partitions(tableName);
    expect(parts).toEqual(expect.arrayContaining([expect.objectContaining({ values: { file: 'big-1' }, rows: 2 })]));
  }, 60_000);

  it("the routed Lambda entry loads the rule from baton.config.ts: a small file runs in the Lambda, a big one's route query answers 'container'", async () => {
    const fn = config.fns.find((f) => f.name === 'csv-to-parquet')!;
    const bundle = bundleHandler(fn.name, fn.module, fn.handler, resolve('examples/fanout'), 'nodejs22.x', true, { kind: 'route', rule: 'config', configFile: resolve('examples/fanout/baton.config.ts') });
    const task = join(base, 'lambda');
    mkdirSync(join(task, 'node_modules'), { recursive: true });
    cpSync(join(bundle.dir, 'index.mjs'), join(task, 'index.mjs'));
    symlinkSync(resolve('node_modules/@aws-sdk'), join(task, 'node_modules', '@aws-sdk'));
    const csv = 'id,ts,sensor,reading,status\n7,2026-01-01T00:00:00Z,a,1,ok\n';
    await h.backend.objects.put(rawBucket, 'incoming/small-1.csv', csv);
    const events = [{ bucket: rawBucket, key: 'incoming/small-1.csv', size: csv.length }, { batonRoute: { bucket: rawBucket, key: 'x.csv', size: largeFileBytes + 1 } }];
    const script = `const m = await import(${JSON.stringify(join(task, 'index.mjs'))}); for (const e of ${JSON.stringify(events)}) console.log('RESULT ' + JSON.stringify(await m.handler(e, { functionName: 'csv-to-parquet', getRemainingTimeInMillis: () => 10000 })));`;
    const endpoints = awsTestEndpoints();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: task,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_PATH: join(base, 'opt', 'nodejs', 'node_modules'), ...connectEnv(h.prefix), AWS_REGION: awsTestRegion, AWS_ACCESS_KEY_ID: awsTestCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: awsTestCredentials.secretAccessKey, AWS_ENDPOINT_URL_S3: endpoints.s3, AWS_ENDPOINT_URL_SQS: endpoints.sqs, AWS_ENDPOINT_URL_SNS: endpoints.sns, AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const results = run.stdout.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice('RESULT '.length)) as Record<string, unknown>);
    expect(results[0]).toMatchObject({ key: 'incoming/small-1.csv', rows: 1, executor: 'function' });
    expect(results[1]).toEqual({ executor: 'container' });
    expect((await h.backend.objects.head(lakeBucket, parquetKey('incoming/small-1.csv'))).size).toBeGreaterThan(0);
  }, 60_000);
});
