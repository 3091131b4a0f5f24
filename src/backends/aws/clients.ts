/**
 * The SDK clients of one aws backend, made once and shared by its stores. Each client counts the
 * requests it sends through `onRequest` (SDK middleware, so retries count too: that is what AWS
 * bills) and is pointed at the configured endpoint; S3 uses path-style addressing when an endpoint
 * is set, since emulators on 127.0.0.1 have no per-bucket host names.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsService, ResolvedAwsOptions } from './options.ts';

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  ssm: SSMClient;
  /** The endpoint of a service when it is not AWS itself. */
  endpoint(service: AwsService): string | undefined;
  destroy(): void;
}

interface MiddlewareHost {
  middlewareStack: { add(mw: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>, options: { step: 'finalizeRequest'; name: string; override?: boolean }): void };
}

/** Counts each request as it is sent (retries included). */
function count(client: MiddlewareHost, service: AwsService, onRequest: ResolvedAwsOptions['onRequest']): void {
  if (!onRequest) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      onRequest(service, context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'finalizeRequest', name: 'batonRequestCount', override: true },
  );
}

export function makeClients(options: ResolvedAwsOptions): AwsClients {
  const base = (service: AwsService) => ({
    region: options.region,
    ...(options.endpoints[service] ? { endpoint: options.endpoints[service] } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const s3 = new S3Client({ ...base('s3'), ...(options.endpoints.s3 ? { forcePathStyle: true } : {}) });
  const sqs = new SQSClient(base('sqs'));
  const sns = new SNSClient(base('sns'));
  const dynamodb = new DynamoDBClient(base('dynamodb'));
  const streams = new DynamoDBStreamsClient(base('dynamodbstreams'));
  const ssm = new SSMClient(base('ssm'));
  count(s3 as unknown as MiddlewareHost, 's3', options.onRequest);
  count(sqs as unknown as MiddlewareHost, 'sqs', options.onRequest);
  count(sns as unknown as MiddlewareHost, 'sns', options.onRequest);
  count(dynamodb as unknown as MiddlewareHost, 'dynamodb', options.onRequest);
  count(streams as unknown as MiddlewareHost, 'dynamodbstreams', options.onRequest);
  count(ssm as unknown as MiddlewareHost, 'ssm', options.onRequest);
  return {
    s3, sqs, sns, dynamodb, streams, ssm,
    endpoint: (service) => options.endpoints[service],
    destroy() {
      for (const c of [s3, sqs, sns, dynamodb, streams, ssm]) c.destroy();
    },
  };
}
