/**
 * The options no example app uses, in one synthetic app (one synthesis): stream trigger settings
 * and on-failure, a batching window, async on-failure to a queue, webhook and queue subscribers,
 * depth and oldest-age alarms, StringList and SecureString params, a schedule's default input.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarm, app, bucket, firehose, fn, params, queue, schedule, table, topic } from '../../src/index.ts';
import { BatonApp, releaseStaging } from '../../src/cdk/index.ts';
import { policyOf, resourceOf, statementsOf } from './template-helpers.ts';

// The temporary bundle and layer folders (CDK has copied what it made from them).
afterAll(releaseStaging);

const config = app('opts', [
  queue('work', { visibilityTimeout: '2m', retention: '2d', delay: '5s', maxMessageSize: '64KiB', deadLetter: { maxReceiveCount: 5 } }),
  queue('failed'),
  table('events', { partitionKey: 'id', stream: 'NEW_IMAGE' }),
  topic('news', { subscribers: [{ queue: 'work' }, { webhook: 'https://hooks.example.com/in', attempts: 4, backoff: '5s' }, { fn: 'reader' }] }),
  fn('reader', './handler.ts', { handler: 'other', timeout: '1m', memory: 256, concurrency: 10, retries: 1, onFailure: { queue: 'failed' }, triggers: [{ queue: 'work', batchSize: 100, batchingWindow: '3s', maxConcurrency: 5, reportBatchItemFailures: false }] }),
  fn('changes', './handler.ts', { uses: ['firehose:intake'], triggers: [{ table: 'events', batchSize: 50, parallelizationFactor: 4, bisectOnError: true, maxRetryAttempts: 7, reportBatchItemFailures: true, onFailure: { queue: 'failed' }, filter: { eventName: ['INSERT', 'MODIFY'] } }] }),
  alarm('deep', { queue: 'work', metric: 'depth', threshold: 100, topic: 'news', every: '5m' }),
  alarm('old', { queue: 'work', metric: 'oldestAge', threshold: '15m', topic: 'news' }),
  params('/opts', { initial: { list: { value: 'a,b,c', type: 'StringList' }, secret: { value: 'hunter2', type: 'SecureString' } } }),
  schedule('nightly', { expression: 'rate(1 day)', target: { topic: 'news' } }),
  bucket('lake'),
  firehose('intake', { destination: { bucket: 'lake', prefix: 'in/' }, compression: 'none', buffer: { size: '1536KiB', interval: '60s' } }),
]);

let t: Template;
let notes: readonly string[];

beforeAll(() => {
  const started = Date.now();
  const stack = new Stack(new App(), 'opts');
  notes = new BatonApp(stack, 'App', { config, root: fileURLToPath(new URL('./fixtures/', import.meta.url)), runtime: 'nodejs20.x' }).notes;
  t = Template.fromStack(stack);
  console.log(`options synth: ${Date.now() - started} ms`);
}, 120_000);

const fnRef = (name: string) => ({ Ref: resourceOf(t, 'AWS::Lambda::Function', { FunctionName: `opts-${name}` }) });
const queueArn = (name: string) => ({ 'Fn::GetAtt': [resourceOf(t, 'AWS::SQS::Queue', { QueueName: `opts-${name}` }), 'Arn'] });

describe('BatonApp options', () => {
  it('queue attributes in seconds and bytes', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'opts-work', VisibilityTimeout: 120, MessageRetentionPeriod: 172_800, DelaySeconds: 5, MaximumMessageSize: 65_536, RedrivePolicy: { deadLetterTargetArn: queueArn('work-dlq'), maxReceiveCount: 5 } });
  });

  it('the SQS trigger: batch 100 with a 3 s window, maximum concurrency 5, no item failures when the trigger says so', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: fnRef('reader'), BatchSize: 100, MaximumBatchingWindowInSeconds: 3, ScalingConfig: { MaximumConcurrency: 5 }, FunctionResponseTypes: Match.absent() });
  });

  it('the stream trigger: filter on two event names, bisect, retries, parallelization, on-failure queue, item failures', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: fnRef('changes'),
      BatchSize: 50,
      ParallelizationFactor: 4,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 7,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: queueArn('failed') } },
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT","MODIFY"]}' }] },
    });
  });

  it('the function: export name, runtime, memory, reserved concurrency, 1 async retry then the failed queue', () => {
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'opts-reader', Handler: 'index.other', Runtime: 'nodejs20.x', MemorySize: 256, Timeout: 60, ReservedConcurrentExecutions: 10 });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: fnRef('reader'), MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: queueArn('failed') } } });
  });

  it("the topic's subscribers: the queue (SNS envelope), the webhook with its retry policy, the function directly", () => {
    const topic = { Ref: resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'opts-news' }) };
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', TopicArn: topic, Endpoint: queueArn('work'), RawMessageDelivery: false });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', TopicArn: topic, Endpoint: 'https://hooks.example.com/in', DeliveryPolicy: { healthyRetryPolicy: Match.objectLike({ numRetries: 3, minDelayTarget: 5 }) } });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: topic, Endpoint: { 'Fn::GetAtt': [fnRef('reader').Ref, 'Arn'] } });
    // The local inbox queue of the function subscriber is not made on AWS.
    t.resourceCountIs('AWS::SQS::Queue', 3);
    expect(notes.join('\n')).toMatch(/webhook https:\/\/hooks.example.com\/in receives SNS's SubscriptionConfirmation first/);
  });

  it('alarms: depth as metric math over three SQS metrics every 5 min; oldest age in seconds', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'opts-deep', Threshold: 100, Metrics: Match.arrayWith([Match.objectLike({ Expression: 'visible + inflight + delayed' }), Match.objectLike({ Id: 'delayed', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesDelayed' }), Period: 300 }) })]) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'opts-old', MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, Period: 60 });
  });

  it('params: a StringList as written; a SecureString never in the template, with a note saying how to set it', () => {
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/opts/list', Type: 'StringList', Value: 'a,b,c' });
    expect(JSON.stringify(t.toJSON())).not.toContain('hunter2');
    expect(notes.join('\n')).toContain("aws ssm put-parameter --name '/opts/secret' --type SecureString");
  });

  it("a schedule without input sends a Scheduled Event; its role may publish to the topic only", () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)', ScheduleExpressionTimezone: 'UTC', Target: Match.objectLike({ Arn: { Ref: resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'opts-news' }) } }) });
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: resourceOf(t, 'AWS::SNS::Topic', { TopicName: 'opts-news' }) } }] } });
  });

  it('a firehose: buffer rounded up to whole MiB, no compression (.jsonl), and put rights only for the function that uses it', () => {
    const stream = resourceOf(t, 'AWS::KinesisFirehose::DeliveryStream', { DeliveryStreamName: 'opts-intake' });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', { ExtendedS3DestinationConfiguration: Match.objectLike({ Prefix: 'in/!{timestamp:yyyy/MM/dd/HH}/', BufferingHints: { SizeInMBs: 2, IntervalInSeconds: 60 }, CompressionFormat: 'UNCOMPRESSED', FileExtension: '.jsonl' }) });
    const changes = statementsOf(t, policyOf(t, 'opts-changes'));
    expect(changes).toContain('firehose:PutRecordBatch');
    expect(changes).toContain(`"${stream}"`);
    expect(statementsOf(t, policyOf(t, 'opts-reader'))).not.toContain('firehose:');
  });
});
