/**
 * What BatonApp has made so far, by the app's names, so one resource kind's file can wire to
 * another's (a trigger to its queue, an alarm to its topic) without knowing how it was made. Also
 * the synth notes: what was deployed differently from the local semantics, and why.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kinesisfirehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Names } from '../backends/aws/names.ts';
import type { ResolvedProps } from './props.ts';

export interface ContainerTarget {
  task: ecs.FargateTaskDefinition;
  container: ecs.ContainerDefinition;
  cluster: ecs.Cluster;
  subnets: ec2.ISubnet[];
  securityGroup: ec2.SecurityGroup;
}

export class Built {
  readonly names: Names;
  readonly buckets = new Map<string, s3.Bucket>();
  readonly queues = new Map<string, sqs.Queue>();
  readonly tables = new Map<string, dynamodb.Table>();
  readonly topics = new Map<string, sns.Topic>();
  readonly fns = new Map<string, lambda.Function>();
  readonly firehoses = new Map<string, kinesisfirehose.CfnDeliveryStream>();
  /** The container executor's task definition of each function that has one. */
  readonly tasks = new Map<string, ecs.FargateTaskDefinition>();
  /** Where each function's container tasks run. */
  readonly containers = new Map<string, ContainerTarget>();
  /** Baton's own state tables, by BatonTable name. */
  readonly state = new Map<string, dynamodb.Table>();
  readonly notes: string[] = [];
  /** The functions whose handlers reach Baton's catalog. */
  readonly catalogFns: string[] = [];

  constructor(readonly props: ResolvedProps) {
    this.names = new Names(props.prefix);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  private need<T>(map: Map<string, T>, kind: string, name: string): T {
    const found = map.get(name);
    if (!found) throw new Error(`BatonApp: ${kind} "${name}" was not made before it was needed (a bug in src/cdk).`);
    return found;
  }
  bucket(name: string): s3.Bucket {
    return this.need(this.buckets, 'bucket', name);
  }
  queue(name: string): sqs.Queue {
    return this.need(this.queues, 'queue', name);
  }
  table(name: string): dynamodb.Table {
    return this.need(this.tables, 'table', name);
  }
  topic(name: string): sns.Topic {
    return this.need(this.topics, 'topic', name);
  }
  fn(name: string): lambda.Function {
    return this.need(this.fns, 'fn', name);
  }
}
