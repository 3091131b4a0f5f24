/**
 * The container executor and routing rule on AWS (seed 001, examples/fanout): a Fargate task
 * definition running the same handler from a Lambda base image, the cluster and network it runs
 * in, the function's Lambda allowed to start exactly that task, and the task's role granted what
 * the function is granted. And the unit's catalog records mirrored into Glue (catalog.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fanout from '../../examples/fanout/baton.config.ts';
import { BatonApp, releaseStaging } from '../../src/cdk/index.ts';
import { fargateSize } from '../../src/cdk/container.ts';
import { policyOf, resourceOf, statementsOf } from './template-helpers.ts';

afterAll(releaseStaging);

describe('fanout: the routed function on Lambda and ECS Fargate', () => {
  let t: Template;
  let notes: readonly string[];
  let outdir: string;
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'fanout');
    notes = new BatonApp(stack, 'App', { config: fanout, root: resolve('examples/fanout') }).notes;
    t = Template.fromStack(stack);
    outdir = app.synth().directory;
  }, 120_000);

  it('a Fargate task definition of the smallest size holding 512 MB, logging to its log group', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      Family: 'fanout-csv-to-parquet',
      ContainerDefinitions: [Match.objectLike({ Name: 'handler', LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) })],
    });
    const env = (Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> } }).Properties.ContainerDefinitions[0]!.Environment;
    expect(Object.fromEntries(env.map((e) => [e.Name, e.Value]))).toMatchObject({ BATON_BACKEND: 'aws', BATON_AWS_PREFIX: 'fanout-', BATON_EXECUTOR: 'container', BATON_FN: 'csv-to-parquet' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/baton/fanout-csv-to-parquet/container' });
    t.resourceCountIs('AWS::ECS::Cluster', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it("the image is built FROM the Lambda Node base image with the bundle's container entry", () => {
    const assetDirs = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'Dockerfile')));
    expect(assetDirs).toHaveLength(1);
    const dir = join(outdir, assetDirs[0]!);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:22\n[\s\S]*ENTRYPOINT \["\/var\/lang\/bin\/node", "\/var\/task\/container\.mjs"\]/);
    // The unit converts CSV with DuckDB: its packages ship in the image where NODE_PATH finds them.
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('ENV NODE_PATH=/opt/nodejs/node_modules:/var/runtime/node_modules\n');
    expect(existsSync(join(dir, 'duckdb', 'node_modules', '@duckdb', 'node-api', 'package.json'))).toBe(true);
    const entry = readFileSync(join(dir, 'container.mjs'), 'utf8');
    expect(entry).toContain('runContainerInvocation');
    expect(entry).toContain('csv-to-parquet');
  });

  it("the function's Lambda routes with the rule from baton.config.ts and may start only its own task", () => {
    const fn = resourceOf(t, 'AWS::Lambda::Function', { FunctionName: 'fanout-csv-to-parquet' });
    const task = Object.keys(t.findResources('AWS::ECS::TaskDefinition'))[0]!;
    const props = (t.toJSON() as { Resources: Record<string, { Properties: { Environment: { Variables: Record<string, unknown> }; Code: unknown } }> }).Resources[fn]!.Properties;
    expect(props.Environment.Variables).toMatchObject({ BATON_ECS_TASK_DEFINITION: { Ref: task }, BATON_ECS_CONTAINER: 'handler', BATON_FN: 'csv-to-parquet' });
    expect(Object.keys(props.Environment.Variables)).toEqual(expect.arrayContaining(['BATON_ECS_CLUSTER', 'BATON_ECS_SUBNETS', 'BATON_ECS_SECURITY_GROUPS']));
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('"ecs:RunTask"');
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement);
    const runTask = statements.filter((s) => [s.Action].flat().includes('ecs:RunTask'));
    expect(runTask.length).toBe(1);
    expect(JSON.stringify(runTask[0]!.Resource)).toContain(task);
    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.length).toBe(1);
    expect(JSON.stringify(passRole[0]!.Resource)).not.toBe('"*"');
    // The Lambda bundle wraps the handler with the routing rule it imports from the config.
    const asset = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'index.mjs'))).map((d) => readFileSync(join(outdir, d, 'index.mjs'), 'utf8'));
    expect(asset.some((src) => src.includes('routedHandler') && src.includes('largeFileBytes'))).toBe(true);
    expect(notes.join('\n')).toMatch(/fn "csv-to-parquet": its routing rule runs in its Lambda/);
  });

  it("the task's role may read and write the function's two buckets, as its Lambda may", () => {
    const taskRole = (Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as { Properties: { TaskRoleArn: { 'Fn::GetAtt': [string, string] } } }).Properties.TaskRoleArn['Fn::GetAtt'][0];
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles) === JSON.stringify([{ Ref: taskRole }]));
    const text = JSON.stringify(policy);
    for (const b of ['fanout-raw', 'fanout-lake']) expect(text).toContain(resourceOf(t, 'AWS::S3::Bucket', { BucketName: b }));
    expect(text).toContain('s3:PutObject');
  });
});

describe('fanout: its catalog in Glue', () => {
  let t: Template;
  beforeAll(() => {
    const stack = new Stack(new App(), 'fanout-catalog');
    new BatonApp(stack, 'App', { config: fanout, root: resolve('examples/fanout') });
    t = Template.fromStack(stack);
  }, 120_000);

  it('the catalog bucket, written by the unit; a Glue database; the bucket notifies the sync Lambda of catalog records', () => {
    const bucket = resourceOf(t, 'AWS::S3::Bucket', { BucketName: 'fanout-baton-catalog' });
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'fanout_lake' } });
    const sync = resourceOf(t, 'AWS::Lambda::Function', { Environment: { Variables: { BATON_GLUE_DATABASE: 'fanout_lake', BATON_CATALOG_PREFIX: '_catalog/', BATON_AWS_PREFIX: 'fanout-' } } });
    const filter = { Key: { FilterRules: [{ Name: 'suffix', Value: '.json' }, { Name: 'prefix', Value: '_catalog/' }] } };
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: bucket },
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'], LambdaFunctionArn: { 'Fn::GetAtt': [sync, 'Arn'] }, Filter: filter }, { Events: ['s3:ObjectRemoved:*'], LambdaFunctionArn: { 'Fn::GetAtt': [sync, 'Arn'] }, Filter: filter }] },
    });
    expect(statementsOf(t, policyOf(t, 'fanout-csv-to-parquet'))).toContain(bucket);
  });

  it("the sync Lambda may change only that database's tables and partitions, and read the catalog bucket", () => {
    const sync = resourceOf(t, 'AWS::Lambda::Function', { Environment: { Variables: { BATON_GLUE_DATABASE: 'fanout_lake' } } });
    const role = (t.toJSON() as { Resources: Record<string, { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }> }).Resources[sync]!.Properties.Role['Fn::GetAtt'][0];
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles) === JSON.stringify([{ Ref: role }])) as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } };
    const glueStatements = policy.Properties.PolicyDocument.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('glue:')));
    expect(glueStatements).toHaveLength(1);
    const resources = JSON.stringify(glueStatements[0]!.Resource);
    expect(resources).toContain(':database/fanout_lake');
    expect(resources).toContain(':table/fanout_lake/*');
    expect(resources).not.toContain('"*"');
    expect(JSON.stringify(policy)).not.toContain('s3:PutObject');
  });
});

describe('fargateSize', () => {
  it('picks the smallest CPU whose memory range holds the function memory', () => {
    expect(fargateSize(128)).toEqual({ cpu: 256, memoryMiB: 512 });
    expect(fargateSize(1024)).toEqual({ cpu: 256, memoryMiB: 1024 });
    expect(fargateSize(3000)).toEqual({ cpu: 512, memoryMiB: 3072 });
    expect(fargateSize(10_240)).toEqual({ cpu: 2048, memoryMiB: 10_240 });
  });
});
