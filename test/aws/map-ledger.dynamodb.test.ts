import { describe } from 'vitest';
import { runMapLedgerConformance } from '../conformance/map-ledger.ts';
import { dynamoSkipReason, makeAwsBackend } from '../helpers/aws.ts';

const skip = dynamoSkipReason();

describe.skipIf(skip !== undefined)(`map ledger on DynamoDB Local${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  runMapLedgerConformance('aws (DynamoDB Local)', () => makeAwsBackend());
});
