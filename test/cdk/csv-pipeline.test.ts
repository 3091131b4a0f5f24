/**
 * `baton synth` of the csv-pipeline (seed 004; one synthesis shared by every case): four queues
 * with DLQs after 3 tries, the transactions stream filtered to INSERTs, and each stage's grants.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../examples/csv-pipeline/baton.config.ts';
import { names } from '../../examples/csv-pipeline/schema.ts';
import { BatonApp, releaseStaging } from '../../src/cdk/index.ts';
import { policyOf, resourceOf, statementsOf } from './template-helpers.ts';

// The temporary bundle and layer folders (CDK has copied what it made from them).
afterAll(releaseStaging);

let template: Template;
let notes: readonly string[];
const prefix = 'csv-';

beforeAll(() => {
  const started = Date.now();
  const stack = new Stack(new App(), 'csv-pipeline');
  notes = new BatonApp(stack, 'App', { config, root: resolve('examples/csv-pipeline'), prefix, raiseVisibility: true }).notes;
  template = Template.fromStack(stack);
  console.log(`csv-pipeline synth: ${Date.now() - started} ms`);
}, 120_000);

const queueId = (name: string) => resourceOf(template, 'AWS::SQS::Queue', { QueueName: `${prefix}${name}` });
const fnId = (name: string) => resourceOf(template, 'AWS::Lambda::Function', { FunctionName: `${prefix}${name}` });

describe('baton synth: csv-pipeline', () => {
  it('every queue redrives to its own DLQ after 3 receives', () => {
    for (const q of [names.uploads, names.load, names.process, names.finished]) {
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `${prefix}${q}`, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queueId(`${q}-dlq`), 'Arn'] }, maxReceiveCount: 3 } });
    }
    template.resourceCountIs('AWS::SQS::Queue', 8);
  });

  it('the stream trigger of route: INSERTs only (FilterCriteria), batch 5000, from the trim horizon', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('route') },
      BatchSize: 5000,
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      EventSourceArn: { 'Fn::GetAtt': [resourceOf(template, 'AWS::DynamoDB::Table', { TableName: `${prefix}${names.table}` }), 'StreamArn'] },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: `${prefix}${names.table}`, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  it('queue triggers report item failures; a function of concurrency 1 is bounded by reserved concurrency, not ScalingConfig (SQS takes 2 or more)', () => {
    for (const [fn, queue, batch] of [['load', names.load, 10], ['process', names.process, 10], ['update', names.finished, 10], ['clean', names.uploads, 1]] as const) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: fnId(fn) }, EventSourceArn: { 'Fn::GetAtt': [queueId(queue), 'Arn'] }, BatchSize: batch, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: fnId('load') }, ScalingConfig: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `${prefix}load`, ReservedConcurrentExecutions: 1 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: fnId('clean') }, ScalingConfig: { MaximumConcurrency: 4 } });
    expect(notes.join('\n')).toMatch(/fn "load": its trigger on queue "load" runs at most 1 at once/);
  });

  it("clean: 5 minutes, 2048 MB; queues' visibility raised to their consumer's timeout", () => {
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `${prefix}clean`, Timeout: 300, MemorySize: 2048 });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `${prefix}${names.uploads}`, VisibilityTimeout: 300 });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `${prefix}${names.load}`, VisibilityTimeout: 30 });
  });

  it('the bucket notifies the uploads queue for incoming/*.csv', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [queueId(names.uploads), 'Arn'] }, Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }, { Name: 'prefix', Value: 'incoming/' }] } } }] },
    });
  });

  it('IAM: route may send to the process queue only; load writes the table and sends to its own queue; none reaches another stage', () => {
    const route = statementsOf(template, policyOf(template, `${prefix}route`));
    const load = statementsOf(template, policyOf(template, `${prefix}load`));
    const table = resourceOf(template, 'AWS::DynamoDB::Table', { TableName: `${prefix}${names.table}` });
    const has = (s: string, id: string) => s.includes(`"${id}"`);
    expect(has(route, queueId(names.process))).toBe(true);
    expect([names.load, names.finished, names.uploads].some((q) => has(route, queueId(q)))).toBe(false);
    const routeStatements = JSON.parse(route) as Array<{ Action: string | string[]; Resource: unknown }>;
    expect(routeStatements.some((s) => [s.Action].flat().includes('dynamodb:PutItem') && JSON.stringify(s.Resource).includes(`"${table}"`))).toBe(false);
    expect(has(load, table) && has(load, queueId(names.load))).toBe(true);
    expect([names.process, names.finished].some((q) => has(load, queueId(q)))).toBe(false);
  });

  it("clean reaches DuckDB and gets the DuckDB layer (linux-x64 binding); load, which does not, gets none", () => {
    const layer = resourceOf(template, 'AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['x86_64'] });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `${prefix}clean`, Layers: [{ Ref: layer }] });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `${prefix}load`, Layers: Match.absent() });
    expect(notes.join('\n')).toMatch(/fn "clean" reaches DuckDB and loads it from the DuckDB layer/);
  });
});
