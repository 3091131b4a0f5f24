/**
 * map -> Step Functions Distributed Map: the fanout example's map (seed 001: every object under a
 * prefix, routed per item to Lambda or Fargate) and a JSON-lines map on the function executor with
 * a percentage tolerance; and the map declarations synth refuses.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fanout, { maps as fanoutMaps } from '../../examples/fanout/baton.config.ts';
import { app, bucket, fn } from '../../src/index.ts';
import { BatonApp, deployProblems, releaseStaging, type MapDeployment } from '../../src/cdk/index.ts';
import { resolveProps } from '../../src/cdk/props.ts';
import { resourceOf } from './template-helpers.ts';

afterAll(releaseStaging);

interface StateJson {
  Type: string;
  [k: string]: unknown;
}

/** The state machine's definition, its Fn::Join flattened with every token as '<ref>'. */
function definitionOf(t: Template, name: string): { StartAt: string; States: Record<string, StateJson> } {
  const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: name } }))[0] as { Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } | string } };
  const def = sm.Properties.DefinitionString;
  const text = typeof def === 'string' ? def : def['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<ref>')).join('');
  return JSON.parse(text) as { StartAt: string; States: Record<string, StateJson> };
}

describe('fanout: its map over raw/incoming/, routed per item', () => {
  let t: Template;
  let map: StateJson;
  beforeAll(() => {
    const stack = new Stack(new App(), 'fanout');
    new BatonApp(stack, 'App', { config: fanout, root: resolve('examples/fanout'), maps: fanoutMaps });
    t = Template.fromStack(stack);
    const def = definitionOf(t, 'fanout-convert-all');
    map = def.States[def.StartAt]!;
  }, 120_000);

  it('reads every object under the prefix as Baton items, MaxConcurrency and retries as declared, no failure tolerated, results to the lake', () => {
    expect(map.Type).toBe('Map');
    expect(map).toMatchObject({
      ItemReader: { Resource: 'arn:<ref>:states:::s3:listObjectsV2', Parameters: { Bucket: '<ref>', Prefix: 'incoming/' } },
      ItemSelector: { bucket: 'raw', 'key.$': '$$.Map.Item.Value.Key', 'size.$': '$$.Map.Item.Value.Size', 'etag.$': '$$.Map.Item.Value.Etag' },
      MaxConcurrency: 8,
      ResultWriter: { Resource: 'arn:<ref>:states:::s3:putObject', Parameters: { Bucket: '<ref>', Prefix: 'maps/convert-all/' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    // No tolerance field: Step Functions' default, no failed item tolerated.
    expect(Object.keys(map).filter((k) => k.startsWith('ToleratedFailure'))).toEqual([]);
  });

  it('each item: the rule (the Lambda answers batonRoute), then Lambda or a Fargate task answering its task token, each retried twice', () => {
    const { StartAt, States } = (map as unknown as { ItemProcessor: { StartAt: string; States: Record<string, StateJson & { Next?: string }> } }).ItemProcessor;
    const route = States[States[StartAt]!.Next!]!;
    expect(route).toMatchObject({ Type: 'Task', Parameters: { Payload: { 'batonRoute.$': '$.item' } }, ResultPath: '$.route' });
    const choice = States[route['Next'] as string] as unknown as { Type: string; Choices: Array<{ Variable: string; StringEquals: string; Next: string }>; Default: string };
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices[0]).toMatchObject({ Variable: '$.route.executor', StringEquals: 'container' });
    const fargate = States[choice.Choices[0]!.Next]!;
    expect(fargate).toMatchObject({ Resource: 'arn:<ref>:states:::ecs:runTask.waitForTaskToken', Parameters: { LaunchType: 'FARGATE' }, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }] });
    const env = JSON.stringify((fargate['Parameters'] as { Overrides: unknown }).Overrides);
    expect(env).toContain('"Name":"BATON_EVENT","Value.$":"States.JsonToString($.item)"');
    expect(env).toContain('"Name":"BATON_TASK_TOKEN","Value.$":"$$.Task.Token"');
    const lambda = States[choice.Default]!;
    expect(lambda).toMatchObject({ Resource: '<ref>', InputPath: '$.item' });
    expect(JSON.stringify(lambda['Retry'])).toContain('"MaxAttempts":2');
  });

  it("the state machine's role: invoke the function, run its task, list the raw bucket, write results", () => {
    const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { RoleArn: { 'Fn::GetAtt': [string, string] } } };
    const role = sm.Properties.RoleArn['Fn::GetAtt'][0];
    const text = JSON.stringify(Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(role)));
    for (const action of ['lambda:InvokeFunction', 'ecs:RunTask', 'iam:PassRole', 's3:ListBucket', 's3:PutObject']) expect(text, action).toContain(action);
    expect(text).toContain(resourceOf(t, 'AWS::Lambda::Function', { FunctionName: 'fanout-csv-to-parquet' }));
  });
});

describe('a JSON-lines map on the function executor', () => {
  const config = app('rows', [bucket('inbox'), bucket('outbox'), fn('load', './handler.ts')]);
  const root = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const jsonl: MapDeployment = { name: 'load-rows', fn: 'load', source: { bucket: 'inbox', key: 'rows.jsonl', format: 'jsonl' }, concurrency: 50, retries: 0, toleratedFailures: '5%', output: { bucket: 'outbox', prefix: 'results/' } };

  it('reads the rows, tolerates 5 %, invokes the Lambda with each row, no retry', () => {
    const stack = new Stack(new App(), 'rows');
    new BatonApp(stack, 'App', { config, root, maps: [jsonl] });
    const def = definitionOf(Template.fromStack(stack), 'rows-load-rows');
    const map = def.States[def.StartAt]!;
    expect(map).toMatchObject({ ItemReader: { Resource: 'arn:<ref>:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Key: 'rows.jsonl' } }, MaxConcurrency: 50, ToleratedFailurePercentage: 5, ResultWriter: { Parameters: { Prefix: 'results/' } } });
    expect(map['ItemSelector']).toBeUndefined();
    const items = (map as unknown as { ItemProcessor: { States: Record<string, StateJson> } }).ItemProcessor.States;
    expect(Object.values(items)).toHaveLength(1);
    // Only CDK's retries of Lambda's own service errors; a failing handler is not retried.
    expect(JSON.stringify(Object.values(items)[0]!['Retry'])).not.toContain('States.ALL');
  });

  it('synth refuses a map naming a missing fn or bucket, a bad tolerance or concurrency, with the field and the fix', () => {
    const bad: MapDeployment[] = [{ name: 'm', fn: 'nope', source: { bucket: 'missing', prefix: 'x/' }, toleratedFailures: '150%', concurrency: 0, output: { bucket: 'gone' } }];
    const problems = deployProblems(resolveProps({ config, root, maps: bad })).join('\n');
    expect(problems).toContain('map "m" (maps.0): field "fn" = "nope" names no fn of the app; name one of load.');
    expect(problems).toContain('field "source.bucket" = "missing" is not a bucket of the app; use one of inbox, outbox');
    expect(problems).toContain('field "output.bucket" = "gone"');
    expect(problems).toContain(`field "toleratedFailures" = "150%"`);
    expect(problems).toContain('field "concurrency" = 0');
    expect(() => new BatonApp(new Stack(new App(), 'bad'), 'App', { config, root, maps: bad })).toThrow(/cannot be deployed to AWS as written/);
  });
});
