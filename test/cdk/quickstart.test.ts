/**
 * `baton synth` of the quickstart (one synthesis shared by every case): the template file where
 * `cdk synth` puts it, and the properties that carry the app's semantics on AWS.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../examples/quickstart/baton.config.ts';
import { synthesize, type SynthResult, releaseStaging } from '../../src/cdk/index.ts';
import { policyOf, resourceOf, statementsOf } from './template-helpers.ts';

// The temporary bundle and layer folders (CDK has copied what it made from them).
afterAll(releaseStaging);

let out: string;
let result: SynthResult;
let template: Template;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'baton-synth-quickstart-'));
  result = synthesize({ ...config, root: resolve('examples/quickstart') }, { out, fileSubscribers: 'omit', raiseVisibility: true });
  template = Template.fromJSON(JSON.parse(readFileSync(result.template, 'utf8')) as Record<string, unknown>);
  console.log(`quickstart synth: ${result.ms} ms`);
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('baton synth: quickstart', () => {
  it('writes <out>/<stack>.template.json, as cdk synth names it, with notes for what differs from local', () => {
    expect(result.template).toBe(join(out, 'quickstart.template.json'));
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(result.notes.join('\n')).toMatch(/queue "ingest": visibility timeout raised from 1s to 10s/);
    expect(result.notes.join('\n')).toMatch(/topic "alerts": file subscriber "alerts.jsonl" omitted/);
  });

  it('the bucket sends object-created events under incoming/ ending .json to the ingest queue', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'quickstart-uploads' });
    const queueId = resourceOf(template, 'AWS::SQS::Queue', { QueueName: 'quickstart-ingest' });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] }, Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json' }, { Name: 'prefix', Value: 'incoming/' }] } } },
        ],
      },
    });
  });

  it('the queue redrives to its DLQ after 2 receives, with visibility raised to the function timeout', () => {
    const dlq = resourceOf(template, 'AWS::SQS::Queue', { QueueName: 'quickstart-ingest-dlq' });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'quickstart-ingest', VisibilityTimeout: 10, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 2 } });
  });

  it('tables are on-demand with their keys and stream view type', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'quickstart-orders',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'id', AttributeType: 'N' }]),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'quickstart-totals', StreamSpecification: Match.absent() });
  });

  it('functions: bundled ESM entry, runtime, timeout, reserved concurrency, the env connect() reads, async retries', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'quickstart-ingest-orders',
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Timeout: 10,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 2,
      Environment: { Variables: Match.objectLike({ BATON_BACKEND: 'aws', BATON_AWS_PREFIX: 'quickstart-' }) },
    });
    const fnId = resourceOf(template, 'AWS::Lambda::Function', { FunctionName: 'quickstart-ingest-orders' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId }, MaximumRetryAttempts: 2 });
  });

  it('the SQS trigger: batch size, maximum concurrency, ReportBatchItemFailures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
  });

  it('the stream trigger reads from the trim horizon with 2 retries, no bisect, and no item failures (its default)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: false,
      ParallelizationFactor: 1,
      FunctionResponseTypes: Match.absent(),
      EventSourceArn: { 'Fn::GetAtt': [resourceOf(template, 'AWS::DynamoDB::Table', { TableName: 'quickstart-orders' }), 'StreamArn'] },
    });
  });

  it('the schedule: expression, time zone, disabled, the queue as target with the fixed input', () => {
    const queueId = resourceOf(template, 'AWS::SQS::Queue', { QueueName: 'quickstart-ingest' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'quickstart-morning-pull',
      ScheduleExpression: 'cron(0/20 6-8 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, Input: '{"kind":"tick"}', RoleArn: Match.anyValue() },
    });
  });

  it("the alarm watches the DLQ's visible messages, at 1 or more, and notifies the topic both ways", () => {
    const topicId = resourceOf(template, 'AWS::SNS::Topic', { TopicName: 'quickstart-alerts' });
    const dlq = resourceOf(template, 'AWS::SQS::Queue', { QueueName: 'quickstart-ingest-dlq' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it("params and Baton's state tables", () => {
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/quickstart/last-run', Type: 'String', Value: 'never' });
    for (const t of ['runs', 'run-logs', 'run-fns', 'run-cancels', 'jobs', 'job-steps', 'maps', 'map-items', 'stream-positions', 'leases']) template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: `quickstart-baton-${t}` });
  });

  it('IAM: each function reaches its own trigger, what it uses and the state tables, nothing else', () => {
    const ingest = statementsOf(template, policyOf(template, 'quickstart-ingest-orders'));
    const totals = statementsOf(template, policyOf(template, 'quickstart-keep-totals'));
    const ids = (type: string, props: Record<string, unknown>) => resourceOf(template, type, props);
    const uploads = ids('AWS::S3::Bucket', { BucketName: 'quickstart-uploads' });
    const orders = ids('AWS::DynamoDB::Table', { TableName: 'quickstart-orders' });
    const totalsTable = ids('AWS::DynamoDB::Table', { TableName: 'quickstart-totals' });
    const mentions = (statements: string, id: string) => statements.includes(`"${id}"`);
    expect(mentions(ingest, uploads) && mentions(ingest, orders)).toBe(true);
    expect(mentions(ingest, totalsTable)).toBe(false);
    expect(mentions(totals, totalsTable)).toBe(true);
    expect(mentions(totals, uploads)).toBe(false);
    // keep-totals reads orders' stream only: no data-plane write to the orders table.
    const totalsStatements = JSON.parse(totals) as Array<{ Action: string | string[]; Resource: unknown }>;
    const writesOrders = totalsStatements.some((s) => [s.Action].flat().includes('dynamodb:PutItem') && JSON.stringify(s.Resource).includes(`"${orders}"`));
    expect(writesOrders).toBe(false);
    expect(totals).toContain('dynamodb:GetRecords');
    expect(ingest).not.toContain('"*"');
  });

  it('the bundled entry loads on the aws backend and exports the handler', () => {
    const assets = JSON.parse(readFileSync(join(out, 'quickstart.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string; packaging: string } }> };
    const dirs = Object.values(assets.files).filter((f) => f.source.packaging === 'zip').map((f) => join(out, f.source.path));
    expect(dirs).toHaveLength(2);
    const dir = dirs[0]!;
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    // Lambda's runtime provides the AWS SDK; here the repository's node_modules stands in for it.
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(typeof m.handler);`], {
      env: { PATH: process.env.PATH, BATON_BACKEND: 'aws', AWS_REGION: 'eu-west-1', BATON_AWS_PREFIX: 'quickstart-' },
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('function');
  });
});
