/**
 * The aws backend against the AWS-protocol servers that test/servers/global-setup.ts started on
 * 127.0.0.1: S3, SQS and SNS on fauxqs, DynamoDB and its streams on DynamoDB Local. Each harness
 * gets a fresh random prefix, so test files share the servers without seeing each other's
 * resources. The fake clock drives only Baton's own timestamps: the servers keep real time.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openAws, type AwsBackend, type AwsBackendOptions } from '../../src/backends/aws/index.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import type { BackendHarness } from './backend-factory.ts';

export const awsTestCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const awsTestRegion = 'us-east-1';

/** Why the DynamoDB-backed aws tests cannot run here (no Java outside CI), or undefined. */
export function dynamoSkipReason(): string | undefined {
  const ddb = inject('awsServers').dynamodb;
  return 'unavailable' in ddb ? ddb.unavailable : undefined;
}

/** Endpoints for openAws: fauxqs for S3/SQS/SNS, DynamoDB Local for DynamoDB and Streams. */
export function awsTestEndpoints(): NonNullable<AwsBackendOptions['endpoints']> {
  const servers = inject('awsServers');
  const ddb = 'endpoint' in servers.dynamodb ? servers.dynamodb.endpoint : 'http://127.0.0.1:9';
  return { s3: servers.fauxqs, sqs: servers.fauxqs, sns: servers.fauxqs, dynamodb: ddb, dynamodbstreams: ddb, ssm: 'http://127.0.0.1:9' };
}

export function freshPrefix(): string {
  return `t${randomBytes(4).toString('hex')}-`;
}

export interface AwsHarness extends BackendHarness {
  backend: AwsBackend;
  prefix: string;
}

/** An aws backend on the test servers with a fresh prefix and a fake clock. */
export function makeAwsBackend(options: Omit<AwsBackendOptions, 'endpoints' | 'credentials' | 'region' | 'clock'> = {}): AwsHarness {
  const clock = new FakeClock();
  const prefix = options.prefix ?? freshPrefix();
  const open = () => openAws({ ...options, prefix, clock, region: awsTestRegion, credentials: awsTestCredentials, endpoints: awsTestEndpoints() }, {});
  const h: AwsHarness = {
    backend: open(),
    clock,
    prefix,
    async reopen() {
      await h.backend.close();
      h.backend = open();
      return h.backend;
    },
    async close() {
      await h.backend.close();
    },
  };
  return h;
}
