/**
 * Vitest global setup: starts the AWS-protocol servers once for the whole run, on 127.0.0.1, and
 * hands their endpoints to the test files (inject('awsServers')). fauxqs runs in this process;
 * DynamoDB Local is a Java child process. Without Java, outside CI, the DynamoDB-backed aws tests
 * are skipped with the reason; in CI (CI=true) a missing Java fails the run instead.
 */
import type { TestProject } from 'vitest/node';
import { dynamoUnavailable, startDynamoDbLocal } from './dynamodb-local.ts';
import { startFauxqs, type RunningServer } from './fauxqs.ts';

export interface AwsServers {
  fauxqs: string;
  /** The DynamoDB Local endpoint, or why it is not running. */
  dynamodb: { endpoint: string } | { unavailable: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    awsServers: AwsServers;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running: RunningServer[] = [];
  const fauxqs = await startFauxqs();
  running.push(fauxqs);
  let dynamodb: AwsServers['dynamodb'];
  const why = dynamoUnavailable();
  if (why && process.env.CI !== 'true') {
    dynamodb = { unavailable: why };
  } else {
    const ddb = await startDynamoDbLocal();
    running.push(ddb);
    dynamodb = { endpoint: ddb.endpoint };
  }
  project.provide('awsServers', { fauxqs: fauxqs.endpoint, dynamodb });
  return async () => {
    for (const server of running) await server.stop();
  };
}
