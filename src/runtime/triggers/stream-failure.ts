/**
 * Lambda's on-failure record for a stream batch that used up its retries (condition
 * 'RetryAttemptsExhausted', with DDBStreamBatchInfo naming the first and last sequence numbers).
 * Lambda sends only these pointers; a local stream cannot be re-read at a given sequence, so Baton
 * adds the failed event as `payload` (left out when it would make the record too large). A batch
 * whose handler returned batchItemFailures (stream-partial.ts) has no function error: its record
 * holds the handler's response, and its batch is the failed record and the ones after it.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { TooLargeError } from '../../core/errors.ts';
import type { Destination } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { InvocationError } from '../../ports/executor.ts';
import { localArnPrefix } from '../executor/index.ts';
import { streamArn } from './events/dynamodb.ts';

export interface StreamFailureInput {
  fnName: string;
  table: string;
  requestId: string;
  invokeCount: number;
  event: DynamoDBStreamEvent;
  /** The function's error, when it threw or timed out. */
  error?: InvocationError | undefined;
  /** The handler's response, when it returned batchItemFailures. */
  response?: unknown;
  now: number;
}

export function streamFailureRecord(f: StreamFailureInput, withPayload = true): Record<string, unknown> {
  const records = f.event.Records;
  const first = records[0]?.dynamodb;
  const last = records[records.length - 1]?.dynamodb;
  const iso = (s: number | undefined) => new Date((s ?? 0) * 1000).toISOString();
  return {
    requestContext: { requestId: f.requestId, functionArn: `${localArnPrefix}${f.fnName}`, condition: 'RetryAttemptsExhausted', approximateInvokeCount: f.invokeCount },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(f.error || f.response === undefined ? { functionError: 'Unhandled' } : {}) },
    version: '1.0',
    timestamp: new Date(f.now).toISOString(),
    DDBStreamBatchInfo: {
      shardId: `shardId-local-${f.table}`,
      startSequenceNumber: first?.SequenceNumber,
      endSequenceNumber: last?.SequenceNumber,
      approximateArrivalOfFirstRecord: iso(first?.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: iso(last?.ApproximateCreationDateTime),
      batchSize: records.length,
      streamArn: streamArn(f.table, f.now),
    },
    ...(f.error ? { responsePayload: { errorType: f.error.errorType, errorMessage: f.error.errorMessage } } : f.response !== undefined ? { responsePayload: f.response } : {}),
    ...(withPayload ? { payload: f.event } : {}),
  };
}

export async function sendStreamFailure(backend: Backend, destination: Destination, f: StreamFailureInput): Promise<void> {
  const send = async (body: string) => {
    if ('queue' in destination) await backend.queues.send(destination.queue, { body });
    else await backend.topics.publish(destination.topic, { message: body, subject: 'Lambda Stream Batch Failure' });
  };
  try {
    await send(JSON.stringify(streamFailureRecord(f)));
  } catch (err) {
    if (!(err instanceof TooLargeError)) throw err;
    await send(JSON.stringify(streamFailureRecord(f, false)));
  }
}
