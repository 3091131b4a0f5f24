/** Small helpers around SDK calls that the table store shares. */
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';

/** The SDK's own error, also when `translate` wrapped it (as its cause). */
export function sdkError(err: unknown): (Error & Record<string, unknown>) | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string' && name.endsWith('Exception')) return e as Error & Record<string, unknown>;
  }
  return undefined;
}

/** The SDK error name of a failure, or ''. */
export function sdkName(err: unknown): string {
  return sdkError(err)?.name ?? '';
}

/** One DynamoDB request, its failure translated to Baton's errors. */
export function dynamo<T>(ctx: AwsContext, op: string, resource: string, run: () => Promise<T>): Promise<T> {
  return call(ctx.at('dynamodb', op, resource), run);
}

/** One DynamoDB Streams request, its failure translated to Baton's errors. */
export function streams<T>(ctx: AwsContext, op: string, resource: string, run: () => Promise<T>): Promise<T> {
  return call(ctx.at('dynamodbstreams', op, resource), run);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
