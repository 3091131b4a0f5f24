/**
 * bucket -> S3 bucket (named prefix + name, so the aws backend finds it), with its notifications:
 * object created/removed, filtered by prefix and suffix, to a queue (SQS, with the queue policy
 * letting S3 send) or a function (an async invoke, with the permission letting S3 invoke).
 * Notifications are wired after the functions exist (wireBucketNotifications).
 */
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';

export function makeBuckets(scope: Construct, built: Built): void {
  const group = new Construct(scope, 'Buckets');
  for (const b of built.props.spec.buckets) {
    const bucket = new s3.Bucket(group, constructId(b.name), {
      bucketName: built.names.bucket(b.name),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    built.buckets.set(b.name, bucket);
  }
}

const eventTypes = { created: s3.EventType.OBJECT_CREATED, removed: s3.EventType.OBJECT_REMOVED } as const;

export function wireBucketNotifications(built: Built): void {
  for (const b of built.props.spec.buckets) {
    const bucket = built.bucket(b.name);
    b.notifications.forEach((n) => {
      const destination = n.queue !== undefined ? new s3n.SqsDestination(built.queue(n.queue)) : new s3n.LambdaDestination(built.fn(n.target!.slice('fn:'.length)));
      const filter: s3.NotificationKeyFilter = { ...(n.prefix ? { prefix: n.prefix } : {}), ...(n.suffix ? { suffix: n.suffix } : {}) };
      for (const event of n.events) bucket.addEventNotification(eventTypes[event], destination, ...(filter.prefix || filter.suffix ? [filter] : []));
    });
    if (b.notifications.some((n) => n.id !== undefined)) built.note(`bucket "${b.name}": S3 names notification rules itself, so records carry S3's configurationId, not the rule's id.`);
  }
}
