import { describe } from 'vitest';
import { runRunStoreConformance } from '../conformance/runs.ts';
import { dynamoSkipReason, makeAwsBackend } from '../helpers/aws.ts';

const skip = dynamoSkipReason();

describe.skipIf(skip !== undefined)(`run store on DynamoDB Local${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  runRunStoreConformance('aws (DynamoDB Local)', () => makeAwsBackend());
});
