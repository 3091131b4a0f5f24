/**
 * `BatonApp` for the other example apps (one synthesis per app, shared by its cases), and Baton's
 * state tables against the aws backend's own table specs.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import clickstream from '../../examples/clickstream/baton.config.ts';
import fanout from '../../examples/fanout/baton.config.ts';
import paginatedApi from '../../examples/paginated-api/baton.config.ts';
import relayPoller from '../../examples/relay-poller/baton.config.ts';
import { specs as backendSpecs } from '../../src/backends/aws/state/tables.ts';
import { BatonApp, releaseStaging } from '../../src/cdk/index.ts';
import { stateTables } from '../../src/cdk/state.ts';
import type { AppSpec } from '../../src/index.ts';
import { policyOf, resourceOf, statementsOf } from './template-helpers.ts';

// The temporary bundle and layer folders (CDK has copied what it made from them).
afterAll(releaseStaging);

function synth(config: AppSpec, folder: string): { template: Template; notes: readonly string[] } {
  const started = Date.now();
  const stack = new Stack(new App(), folder);
  const notes = new BatonApp(stack, 'App', { config, root: resolve('examples', folder), fileSubscribers: 'omit', raiseVisibility: true }).notes;
  const template = Template.fromStack(stack);
  console.log(`${folder} synth: ${Date.now() - started} ms`);
  return { template, notes };
}

describe("Baton's state tables", () => {
  it('have the keys and indexes the aws backend creates on first use', () => {
    for (const [name, spec] of Object.entries(backendSpecs)) expect(stateTables[name as keyof typeof stateTables], name).toEqual(spec);
  });
});

describe('relay-poller', () => {
  let t: Template;
  let notes: readonly string[];
  beforeAll(() => ({ template: t, notes } = synth(relayPoller, 'relay-poller')), 120_000);
  const fnRef = () => ({ 'Fn::GetAtt': [resourceOf(t, 'AWS::Lambda::Function', { FunctionName: 'relay-poller-run-etl' }), 'Arn'] });

  it('the bucket invokes run-etl for reports/*.json, with the permission letting S3 invoke it', () => {
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'], LambdaFunctionArn: fnRef(), Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json' }, { Name: 'prefix', Value: 'reports/' }] } } }] },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', FunctionName: fnRef() });
  });

  it('async invokes: 2 retries, then the notifications topic (on-failure destination)', () => {
    const topic = resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'relay-poller-notifications' });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { Ref: topic } } } });
  });

  it("the relay topic invokes run-etl through an SNS subscription, with no local inbox queue", () => {
    const relay = resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'relay-poller-relay' });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: relay }, Endpoint: fnRef() });
    t.resourceCountIs('AWS::SQS::Queue', 0);
    expect(notes.join('\n')).toMatch(/topic "notifications": file subscriber "notifications.jsonl" omitted/);
  });

  it('IAM: publish to its two topics, read/write its bucket and table; ListTopics is the only action on *', () => {
    const statements = JSON.parse(statementsOf(t, policyOf(t, 'relay-poller-run-etl'))) as Array<{ Action: string | string[]; Resource: unknown }>;
    const publish = statements.filter((s) => [s.Action].flat().includes('sns:Publish')).flatMap((s) => [s.Resource].flat());
    expect(publish).toEqual(expect.arrayContaining([{ Ref: resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'relay-poller-relay' }) }, { Ref: resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'relay-poller-notifications' }) }]));
    const onStar = statements.filter((s) => JSON.stringify(s.Resource) === '"*"').flatMap((s) => [s.Action].flat());
    expect(onStar).toEqual(['sns:ListTopics']);
    const text = JSON.stringify(statements);
    expect(text).toContain(resourceOf(t, 'AWS::DynamoDB::Table', { TableName: 'relay-poller-relay-links' }));
    expect(text).toContain(resourceOf(t, 'AWS::S3::Bucket', { BucketName: 'relay-poller-reports' }));
  });
});

describe('paginated-api', () => {
  let t: Template;
  beforeAll(() => ({ template: t } = synth(paginatedApi, 'paginated-api')), 120_000);

  it('the schedule invokes pull-elements in UTC with a Scheduled Event built from the Scheduler context', () => {
    const fn = resourceOf(t, 'AWS::Lambda::Function', { FunctionName: 'paginated-api-pull-elements' });
    const schedule = Object.values(t.findResources('AWS::Scheduler::Schedule'))[0] as { Properties: { ScheduleExpression: string; ScheduleExpressionTimezone: string; State: string; Target: { Arn: unknown; Input: unknown } } };
    expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'cron(0/20 6-8 * * ? *)', ScheduleExpressionTimezone: 'UTC', State: 'ENABLED', Target: { Arn: { 'Fn::GetAtt': [fn, 'Arn'] } } });
    const input = JSON.stringify(schedule.Properties.Target.Input);
    for (const part of ['Scheduled Event', '<aws.scheduler.scheduled-time>', '<aws.scheduler.execution-id>', '<aws.scheduler.schedule-arn>']) expect(input).toContain(part);
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: Match.arrayWith([{ 'Fn::GetAtt': [fn, 'Arn'] }]) }] } });
  });

  it('params as SSM String parameters; pull-elements may use its path only; no async retries', () => {
    for (const name of ['api-url', 'cursor', 'cursor-day', 'done-on']) t.hasResourceProperties('AWS::SSM::Parameter', { Name: `/paginated-api/${name}`, Type: 'String' });
    const text = statementsOf(t, policyOf(t, 'paginated-api-pull-elements'));
    expect(text).toContain('ssm:PutParameter');
    expect(text).toContain(':parameter/paginated-api/*');
    expect(statementsOf(t, policyOf(t, 'paginated-api-load-elements'))).not.toContain('ssm:');
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: resourceOf(t, 'AWS::Lambda::Function', { FunctionName: 'paginated-api-pull-elements' }) }, MaximumRetryAttempts: 0 });
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'paginated-api-pull-elements', Timeout: 3, ReservedConcurrentExecutions: 1, Environment: { Variables: Match.objectLike({ BUCKET: 'api-raw', BATON_BACKEND: 'aws' }) } });
  });
});

describe('clickstream', () => {
  let t: Template;
  let notes: readonly string[];
  beforeAll(() => ({ template: t, notes } = synth(clickstream, 'clickstream')), 120_000);

  it('hourly compaction at :20 in UTC; the DLQ alarm', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(20 * * * ? *)', ScheduleExpressionTimezone: 'UTC' });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'clickstream-raw-files', VisibilityTimeout: 30, RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  it('the firehose: Kinesis Data Firehose to the lake under raw/ by UTC hour, 5 MiB / 300 s, gzip, one record a line, .jsonl.gz (the notification suffix)', () => {
    const lake = resourceOf(t, 'AWS::S3::Bucket', { BucketName: 'clickstream-lake' });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'clickstream-clicks',
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [lake, 'Arn'] },
        Prefix: 'raw/!{timestamp:yyyy/MM/dd/HH}/',
        ErrorOutputPrefix: 'raw/errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/',
        BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
        CompressionFormat: 'GZIP',
        FileExtension: '.jsonl.gz',
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }] }] },
      }),
    });
    expect(notes.join('\n')).toMatch(/Firehose names its objects <stream>-<version>-<time>-<uuid>.jsonl\[.gz\]/);
  });
});

describe('fanout', () => {
  let t: Template;
  let notes: readonly string[];
  beforeAll(() => ({ template: t, notes } = synth(fanout, 'fanout')), 120_000);

  it('the routed function: its Lambda (the rule and the function executor) and a Fargate task (the container executor); details in container.test.ts', () => {
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'fanout-csv-to-parquet', Timeout: 10, MemorySize: 512 });
    // raw, lake, and the catalog's bucket (its records, mirrored to Glue)
    t.resourceCountIs('AWS::S3::Bucket', 3);
    t.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    expect(notes.join('\n')).toMatch(/fn "csv-to-parquet": its routing rule runs in its Lambda/);
  });
});
