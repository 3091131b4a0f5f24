/**
 * Baton's catalog on AWS. When a function's handler reaches the catalog (its bundle includes
 * data/catalog), BatonApp deploys:
 *   - the catalog bucket (<prefix>baton-catalog, or the app's own bucket of that name), which those
 *     functions (and their container tasks) may read and write;
 *   - a Glue database (<prefix>lake, in Glue's characters) and a Lambda (lambda/glue-sync.ts)
 *     that the bucket notifies of every catalog record written or removed under the catalog
 *     prefix, and that mirrors it into the database as an external Parquet table or partition,
 *     so Athena queries the lake with no crawler. It may read the catalog bucket and change that
 *     database's tables and partitions only.
 * query() on `aws` stays DuckDB over the objects the catalog lists (data/query.ts): the same SQL
 * and results as local, only committed files, no Athena per-query charge or queueing; Athena is
 * for people and BI tools, which read Glue.
 */
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { defaults } from '../core/defaults.ts';
import type { Built } from './built.ts';
import { bundleHandler } from './bundle.ts';
import { glueEnv } from './lambda/glue-sync.ts';

const runtimes = { 'nodejs20.x': lambda.Runtime.NODEJS_20_X, 'nodejs22.x': lambda.Runtime.NODEJS_22_X } as const;

/** The Glue database of an app: lower-case letters, digits and '_'. */
export function glueDatabaseName(prefix: string): string {
  return `${prefix}lake`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 255);
}

export function makeCatalog(scope: Construct, built: Built): void {
  if (!built.catalogFns.length) return;
  const group = new Construct(scope, 'Catalog');
  const name = defaults.data.catalogBucket;
  const declared = built.buckets.get(name);
  const bucket =
    declared ??
    new s3.Bucket(group, 'Bucket', { bucketName: built.names.bucket(name), blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
  for (const f of built.catalogFns) {
    bucket.grantReadWrite(built.fn(f));
    const task = built.tasks.get(f);
    if (task) bucket.grantReadWrite(task.taskRole);
  }
  const database = glueDatabaseName(built.names.prefix);
  const stack = Stack.of(scope);
  const db = new glue.CfnDatabase(group, 'Database', { catalogId: stack.account, databaseInput: { name: database, description: `Baton app "${built.props.spec.name}": the catalog's tables (baton synth)` } });
  const bundle = bundleHandler('glue-sync', fileURLToPath(new URL(`./lambda/glue-sync${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)), 'handler', built.props.root, built.props.runtime);
  const sync = new lambda.Function(group, 'GlueSync', {
    runtime: runtimes[built.props.runtime],
    code: lambda.Code.fromAsset(bundle.dir),
    handler: bundle.handler,
    timeout: Duration.seconds(30),
    memorySize: 256,
    environment: { [glueEnv.database]: database, [glueEnv.catalogPrefix]: defaults.data.catalogPrefix, BATON_AWS_PREFIX: built.props.prefix },
    description: "Mirrors Baton's catalog records into the Glue Data Catalog",
  });
  sync.node.addDependency(db);
  bucket.grantRead(sync);
  const arn = (resource: string, resourceName?: string) => stack.formatArn({ service: 'glue', resource, ...(resourceName ? { resourceName } : {}) });
  sync.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable', 'glue:GetPartition', 'glue:CreatePartition', 'glue:UpdatePartition', 'glue:DeletePartition'],
      resources: [arn('catalog'), arn('database', database), arn('table', `${database}/*`)],
    }),
  );
  const filter = { prefix: defaults.data.catalogPrefix, suffix: '.json' };
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(sync), filter);
  bucket.addEventNotification(s3.EventType.OBJECT_REMOVED, new s3n.LambdaDestination(sync), filter);
  built.note(
    `catalog: fns ${built.catalogFns.map((f) => `"${f}"`).join(', ')} reach Baton's catalog; its records (bucket ${built.names.bucket(name)}, ${defaults.data.catalogPrefix}) are mirrored into the Glue database "${database}", so Athena queries the lake (SELECT ... FROM ${database}.<table>). Athena reads every file in a partition's folder, query() only the files the partition lists. query() on aws runs DuckDB over those files, not Athena.`,
  );
}
