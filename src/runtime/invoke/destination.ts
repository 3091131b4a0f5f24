/**
 * Lambda's destination record for a failed asynchronous invocation, and its delivery to the
 * function's on-failure destination (a queue or a topic). The record has the shape Lambda sends:
 *   { version: '1.0', timestamp, requestContext: { requestId, functionArn, condition:
 *     'RetriesExhausted', approximateInvokeCount }, requestPayload, responseContext: { statusCode,
 *     executedVersion, functionError: 'Unhandled' }, responsePayload: { errorType, errorMessage, trace } }
 */
import type { Destination } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import { localArnPrefix } from '../executor/worker/context.ts';

export interface FailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string; trace: string[] };
}

export interface FailureInput {
  fnName: string;
  requestId: string;
  invokeCount: number;
  event: unknown;
  error: { errorType: string; errorMessage: string; stack?: string | undefined };
  now: number;
}

export function failureRecord(f: FailureInput): FailureRecord {
  return {
    version: '1.0',
    timestamp: new Date(f.now).toISOString(),
    requestContext: { requestId: f.requestId, functionArn: `${localArnPrefix}${f.fnName}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: f.invokeCount },
    requestPayload: f.event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: f.error.errorType, errorMessage: f.error.errorMessage, trace: f.error.stack ? f.error.stack.split('\n') : [] },
  };
}

export async function sendToDestination(backend: Backend, destination: Destination, record: FailureRecord): Promise<void> {
  const body = JSON.stringify(record);
  if ('queue' in destination) await backend.queues.send(destination.queue, { body });
  else await backend.topics.publish(destination.topic, { message: body, subject: 'Lambda Function Invocation Failure' });
}
