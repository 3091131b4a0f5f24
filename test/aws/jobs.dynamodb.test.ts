import { describe } from 'vitest';
import { runJobStoreConformance } from '../conformance/jobs.ts';
import { dynamoSkipReason, makeAwsBackend } from '../helpers/aws.ts';

const skip = dynamoSkipReason();

describe.skipIf(skip !== undefined)(`job store on DynamoDB Local${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  runJobStoreConformance('aws (DynamoDB Local)', () => makeAwsBackend());
});
