import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { dynamoSkipReason, makeAwsBackend } from '../helpers/aws.ts';

describe('the AWS-protocol test servers', () => {
  it('fauxqs answers SQS on 127.0.0.1', async () => {
    const h = makeAwsBackend();
    try {
      expect(h.backend.options.endpoints.sqs).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const out = await h.backend.context.clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: h.prefix }));
      expect(out.QueueUrls ?? []).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it.skipIf(dynamoSkipReason() !== undefined)(`DynamoDB Local answers on 127.0.0.1 ${dynamoSkipReason() ?? ''}`, async () => {
    const h = makeAwsBackend();
    try {
      expect(h.backend.options.endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const out = await h.backend.context.clients.dynamodb.send(new ListTablesCommand({}));
      expect(Array.isArray(out.TableNames)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
