import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

// Root two levels up, so the handler's module is test/fixtures/handlers/env.ts from the task root,
// as a Lambda package whose handlers sit in a folder.
const root = fileURLToPath(new URL('../fixtures', import.meta.url));
const executor = createFunctionExecutor({ root });
afterAll(() => executor.close());

describe("a handler's environment is Lambda's", () => {
  it('sets AWS_REGION and AWS_DEFAULT_REGION to a real region, and _HANDLER as Lambda writes it', async () => {
    const f = fn('env-fn', './handlers/env.ts', { timeout: 2000 }).config;
    const inv = await executor.invoke(f, { names: ['AWS_REGION', 'AWS_DEFAULT_REGION', '_HANDLER', 'LAMBDA_TASK_ROOT'] });
    expect(inv.result).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', _HANDLER: 'handlers/env.handler', LAMBDA_TASK_ROOT: join(root) });
  });

  it("names the context's function ARN in that region", async () => {
    const f = fn('ctx-fn', './handlers/context.ts', { timeout: 2000 }).config;
    const inv = await executor.invoke(f, {});
    expect(JSON.stringify(inv.result)).toContain('arn:aws:lambda:us-east-1:000000000000:function:ctx-fn');
  });
});

describe('stream records name a stream labelled with a real time', () => {
  it("labels the table's stream with the time of its first change handed on, and a worker's copy of the event names the same stream", async () => {
    const { dynamodbEvent, dynamodbEventFromWire } = await import('../../src/runtime/triggers/events/dynamodb.ts');
    const { encodedEvent } = await import('../../src/ports/executor.ts');
    const at = Date.UTC(2026, 11, 6, 4, 33, 15, 123);
    const record = (sequence: number, createdAt: number) => ({ sequence, eventName: 'INSERT' as const, table: 'label-orders', keys: { id: String(sequence) }, newImage: { id: String(sequence) }, createdAt });
    const event = dynamodbEvent([record(1, at), record(2, at + 5000)], 'NEW_IMAGE');
    const arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/label-orders/stream/2026-12-06T04:33:15.123';
    expect(event.Records.map((r) => r.eventSourceARN)).toEqual([arn, arn]);
    const wire = (event as unknown as Record<symbol, { wire(): string }>)[encodedEvent]!.wire();
    expect(dynamodbEventFromWire(wire).Records.map((r) => r.eventSourceARN)).toEqual([arn, arn]);
    // Later batches keep the label.
    expect(dynamodbEvent([record(3, at + 60_000)], 'NEW_IMAGE').Records[0]!.eventSourceARN).toBe(arn);
  });
});
