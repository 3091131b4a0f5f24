/**
 * firehose -> Kinesis Data Firehose delivery stream (direct put) to its bucket: objects under
 * `prefix/YYYY/MM/DD/HH/` by UTC arrival time, failed records under the error prefix, the buffer
 * hints (size in whole MiB, interval in seconds), gzip or none, one record per line (the
 * AppendDelimiterToRecord processor) and the local file extension (.jsonl[.gz]), so bucket
 * notifications filtered on it still match. Firehose writes through a role that may write that
 * bucket only. A `schema` is checked by Baton's local firehose at put time; Firehose does not.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesisfirehose from 'aws-cdk-lib/aws-kinesisfirehose';
import { Construct } from 'constructs';
import type { FirehoseConfig } from '../core/resources/firehose.ts';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';
import { seconds } from './units.ts';

const mib = 1024 * 1024;
const hour = '!{timestamp:yyyy/MM/dd/HH}/';

export function firehoseName(built: Built, name: string): string {
  return `${built.names.prefix}${name}`;
}

function makeStream(scope: Construct, built: Built, f: FirehoseConfig): kinesisfirehose.CfnDeliveryStream {
  const bucket = built.bucket(f.bucket);
  const id = constructId(f.name);
  const role = new iam.Role(scope, `${id}-role`, { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
  bucket.grantReadWrite(role);
  const sizeMb = Math.max(1, Math.ceil(f.bufferBytes / mib));
  if (f.bufferBytes % mib) built.note(`firehose "${f.name}": buffer size rounded up to ${sizeMb} MiB (Firehose counts whole MiB).`);
  if (f.schema) built.note(`firehose "${f.name}": its schema is not checked by Firehose on AWS; validate records before PutRecordBatch (or downstream, as standardize does).`);
  const stream = new kinesisfirehose.CfnDeliveryStream(scope, id, {
    deliveryStreamName: firehoseName(built, f.name),
    deliveryStreamType: 'DirectPut',
    extendedS3DestinationConfiguration: {
      bucketArn: bucket.bucketArn,
      roleArn: role.roleArn,
      prefix: `${f.prefix}${hour}`,
      errorOutputPrefix: `${f.errorPrefix}!{firehose:error-output-type}/${hour}`,
      bufferingHints: { sizeInMBs: sizeMb, intervalInSeconds: seconds(f.bufferIntervalMs) },
      compressionFormat: f.compression === 'gzip' ? 'GZIP' : 'UNCOMPRESSED',
      fileExtension: f.compression === 'gzip' ? '.jsonl.gz' : '.jsonl',
      processingConfiguration: { enabled: true, processors: [{ type: 'AppendDelimiterToRecord', parameters: [{ parameterName: 'Delimiter', parameterValue: '\\n' }] }] },
    },
  });
  // The role's policy must exist before Firehose first writes.
  stream.node.addDependency(role);
  return stream;
}

export function makeFirehoses(scope: Construct, built: Built): void {
  if (!built.props.spec.firehoses.length) return;
  const group = new Construct(scope, 'Firehoses');
  for (const f of built.props.spec.firehoses) built.firehoses.set(f.name, makeStream(group, built, f));
  built.note("firehoses: Firehose names its objects <stream>-<version>-<time>-<uuid>.jsonl[.gz], not Baton's local <name>-<time>-<id> keys; prefixes, hours and extensions are the same.");
}

/** Lets a function put records to a firehose. */
export function grantPut(fn: iam.IGrantable, stream: kinesisfirehose.CfnDeliveryStream): void {
  fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'], resources: [stream.attrArn] }));
}
