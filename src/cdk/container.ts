/**
 * executor 'container' and routing -> ECS Fargate. A function whose executor is 'container', or
 * that has a routing rule, gets (besides its Lambda, which stays the function's front door for its
 * triggers and invokes):
 *   - a Fargate task definition running the same handler module: the bundle's container entry
 *     (lambda/container-main.ts) in an image built FROM public.ecr.aws/lambda/nodejs, the Lambda
 *     base image of the function's Node version, so the task has the Node and AWS SDK the Lambda
 *     has and the one bundle runs in both; the image is a CDK Docker image asset (synth needs no
 *     Docker; `cdk deploy` builds and pushes it with Docker), with DuckDB's linux-x64 packages under
 *     /opt/nodejs/node_modules when the handler reaches DuckDB (as the DuckDB layer on Lambda); the
 *     task's role gets the function's grants; logs go to CloudWatch Logs (/baton/<prefix><fn>/container);
 *   - a Lambda entry (lambda/route.ts) that applies the rule from baton.config.ts to each event and
 *     starts the task (ecs:RunTask, iam:PassRole on the task's roles only) when it says 'container'.
 * One cluster per app, in a VPC of its own with public subnets only (no NAT gateway to pay for):
 * tasks get a public IP to reach ECR and AWS's APIs, and a security group with no inbound rule.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FnConfig } from '../core/resources/fn.ts';
import type { Built } from './built.ts';
import { bundleHandler, type EntryWrap } from './bundle.ts';
import { duckdbPackages } from './duckdb-layer.ts';
import { connectEnv } from './fn.ts';
import { constructId } from './ids.ts';
import { entryEnv } from './lambda/env.ts';

/** Fargate's CPU sizes with the memory (MiB) each allows, smallest first. */
const fargateSizes: ReadonlyArray<{ cpu: number; memory: readonly number[] }> = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: [1024, 2048, 3072, 4096] },
  { cpu: 1024, memory: [2048, 3072, 4096, 5120, 6144, 7168, 8192] },
  { cpu: 2048, memory: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024) },
  { cpu: 4096, memory: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024) },
];

/** The smallest Fargate size with at least `memoryMb` of memory. */
export function fargateSize(memoryMb: number): { cpu: number; memoryMiB: number } {
  for (const s of fargateSizes) {
    const m = s.memory.find((v) => v >= memoryMb);
    if (m !== undefined) return { cpu: s.cpu, memoryMiB: m };
  }
  return { cpu: 4096, memoryMiB: 30_720 };
}

/** Whether a function needs the container executor on AWS. */
export function usesContainer(f: FnConfig): boolean {
  return f.executor === 'container' || f.route !== undefined;
}

/** The Lambda entry of a function with a container executor or a routing rule. */
export function routeWrap(f: FnConfig, configFile: string | undefined): EntryWrap {
  if (f.route && configFile) return { kind: 'route', rule: 'config', configFile };
  return { kind: 'route', rule: 'container' };
}

const nodeImages = { 'nodejs20.x': '20', 'nodejs22.x': '22' } as const;

function dockerfile(runtime: keyof typeof nodeImages, duckdb: boolean): string {
  return [
    `FROM public.ecr.aws/lambda/nodejs:${nodeImages[runtime]}`,
    // The AWS SDK the Lambda runtime provides, where both require (NODE_PATH) and import (node_modules) find it;
    // DuckDB where the DuckDB layer puts it on Lambda (/opt/nodejs/node_modules), for a bundle that loads it from there.
    `ENV NODE_PATH=${duckdb ? '/opt/nodejs/node_modules:' : ''}/var/runtime/node_modules`,
    'RUN ln -s /var/runtime/node_modules /var/task/node_modules',
    ...(duckdb ? ['COPY duckdb/ /opt/nodejs/'] : []),
    'COPY container.mjs /var/task/container.mjs',
    'ENTRYPOINT ["/var/lang/bin/node", "/var/task/container.mjs"]',
    '',
  ].join('\n');
}

interface Network {
  cluster: ecs.Cluster;
  vpc: ec2.Vpc;
  securityGroup: ec2.SecurityGroup;
}

function network(scope: Construct): Network {
  const vpc = new ec2.Vpc(scope, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const securityGroup = new ec2.SecurityGroup(scope, 'Tasks', { vpc, allowAllOutbound: true, description: 'Baton container tasks: outbound only' });
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc });
  return { cluster, vpc, securityGroup };
}

export function makeContainers(scope: Construct, built: Built): void {
  const fns = built.props.spec.fns.filter(usesContainer);
  if (!fns.length) return;
  const group = new Construct(scope, 'Containers');
  const net = network(group);
  const { props } = built;
  const duck = duckdbPackages(props.root);
  for (const f of fns) {
    const id = constructId(f.name);
    const bundle = bundleHandler(f.name, f.module, f.handler, props.root, props.runtime, 'found' in duck, { kind: 'container', memoryMb: f.memoryMb });
    // DuckDB's packages (its linux-x64 binding) in the image, as the DuckDB layer holds them for Lambda.
    if (bundle.duckdb && 'found' in duck) for (const [pkg, from] of duck.found) cpSync(from, join(bundle.dir, 'duckdb', 'node_modules', pkg), { recursive: true, dereference: true });
    writeFileSync(join(bundle.dir, 'Dockerfile'), dockerfile(props.runtime, bundle.duckdb));
    const size = fargateSize(f.memoryMb);
    const task = new ecs.FargateTaskDefinition(group, `${id}-task`, { cpu: size.cpu, memoryLimitMiB: size.memoryMiB, family: `${built.names.prefix}${f.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255) });
    const logGroup = new logs.LogGroup(group, `${id}-logs`, { logGroupName: `/baton/${built.names.prefix}${f.name}/container`, retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const container = task.addContainer('handler', {
      image: ecs.ContainerImage.fromAsset(bundle.dir),
      environment: { ...f.env, ...connectEnv(props.prefix), [entryEnv.fn]: f.name, [entryEnv.executor]: 'container' },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'task' }),
    });
    built.tasks.set(f.name, task);
    const fn = built.fn(f.name);
    task.grantRun(fn);
    fn.addEnvironment(entryEnv.cluster, net.cluster.clusterArn)
      .addEnvironment(entryEnv.taskDefinition, task.taskDefinitionArn)
      .addEnvironment(entryEnv.container, container.containerName)
      .addEnvironment(entryEnv.subnets, net.vpc.publicSubnets.map((s) => s.subnetId).join(','))
      .addEnvironment(entryEnv.securityGroups, net.securityGroup.securityGroupId);
    built.containers.set(f.name, { task, container, cluster: net.cluster, subnets: net.vpc.publicSubnets, securityGroup: net.securityGroup });
    built.note(
      f.route
        ? `fn "${f.name}": its routing rule runs in its Lambda on each event; 'container' starts an ECS Fargate task (${size.cpu} CPU units, ${size.memoryMiB} MiB) of the same bundle and returns its ARN at once (the task's outcome is in ECS and its logs, not in the invocation's result).`
        : `fn "${f.name}": the container executor is an ECS Fargate task (${size.cpu} CPU units, ${size.memoryMiB} MiB); its Lambda starts one per invocation and returns the task's ARN.`,
    );
  }
  built.note('container executor: its image is a Docker image asset FROM public.ecr.aws/lambda/nodejs (synth needs no Docker; cdk deploy builds and pushes it, so the deploying machine needs Docker).');
}
