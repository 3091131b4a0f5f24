/**
 * The Lambda context object a handler receives, field for field as @types/aws-lambda's Context:
 * the ARN uses the embedded region and account (core/region.ts); the deprecated done/succeed/fail
 * forward to the invocation's callback, as Lambda's Node.js runtime still does.
 */
import type { Callback, Context } from 'aws-lambda';
import { embeddedArn } from '../../../core/region.ts';

export interface ContextInput {
  requestId: string;
  fnName: string;
  memoryMb: number;
  logStreamName: string;
  /** Epoch ms when the time limit passes. */
  deadline: number;
  callback: Callback;
}

export const localArnPrefix = embeddedArn('lambda', 'function:');

export function makeContext(input: ContextInput): Context {
  const { callback } = input;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: input.fnName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `${localArnPrefix}${input.fnName}`,
    memoryLimitInMB: String(input.memoryMb),
    awsRequestId: input.requestId,
    logGroupName: `/aws/lambda/${input.fnName}`,
    logStreamName: input.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, input.deadline - Date.now()),
    done: (error?: Error, result?: unknown) => callback(error, result),
    fail: (error: Error | string) => callback(error),
    succeed: (messageOrObject: unknown) => callback(null, messageOrObject),
  };
}
