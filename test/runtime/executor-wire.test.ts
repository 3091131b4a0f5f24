import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import type { ReceivedMessage } from '../../src/ports/queues.ts';
import { createContainerExecutor } from '../../src/runtime/container/index.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { dynamodbEvent } from '../../src/runtime/triggers/events/dynamodb.ts';
import { sqsEvent, sqsRecord } from '../../src/runtime/triggers/events/sqs.ts';

// Events with a wire form (ports/executor.ts encodedEvent) reach the handler rebuilt from it, in
// a worker thread and in a container child alike. The wire form is made afresh for each
// invocation and dropped once sent (runtime/executor/pool.ts): the same event invoked again (a
// stream batch retried) is whole again.
const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const threads = createFunctionExecutor({ root });
const children = createContainerExecutor({ root });
afterAll(() => Promise.all([threads.close(), children.close()]));

const messages: ReceivedMessage[] = [
  { messageId: 'm-1', receiptHandle: '7.1', body: '{"order":1}', attributes: {}, receiveCount: 1, attempts: 0, sentAt: 1_000, firstReceivedAt: 2_000 },
  { messageId: 'm-2', receiptHandle: '8.3', body: `zß水🚀 "quoted" \\ \n${'x'.repeat(200_000)}`, attributes: { kind: 'retry', n: 42 }, receiveCount: 3, attempts: 2, sentAt: 1_500, firstReceivedAt: 2_500 },
  { messageId: 'm-3', receiptHandle: '9.1', body: 'lone \ud83d surrogate', attributes: {}, receiveCount: 1, attempts: 0, sentAt: 1_600, firstReceivedAt: 2_600 },
];

describe.each([
  ['function executor', threads, 'function'],
  ['container executor', children, 'container'],
] as const)('%s: an event sent in its wire form', (_name, executor, kind) => {
  const echo = fn(`echo-${kind}`, './echo.ts', { timeout: 5000, executor: kind }).config;

  it('hands the handler the SQS event, the same again when invoked twice', async () => {
    const event = sqsEvent('orders', messages);
    const expected = JSON.parse(JSON.stringify({ Records: messages.map((m) => sqsRecord('orders', m)) })) as unknown;
    for (const inv of [await executor.invoke(echo, event), await executor.invoke(echo, event)]) {
      expect(inv.status).toBe('ok');
      expect((inv.result as { event: unknown }).event).toEqual(expected);
    }
  });

  it('hands the handler the DynamoDB stream event, the same again when invoked twice', async () => {
    const at = Date.UTC(2026, 11, 6, 12, 0, 0);
    const event = dynamodbEvent(
      [
        { sequence: 1, eventName: 'INSERT', table: 'wire-orders', keys: { id: 'a' }, newImage: { id: 'a', text: 'é水🚀', n: 1 }, createdAt: at },
        { sequence: 2, eventName: 'MODIFY', table: 'wire-orders', keys: { id: 'a' }, newImage: { id: 'a', n: 2 }, oldImage: { id: 'a', n: 1 }, createdAt: at + 1 },
      ],
      'NEW_AND_OLD_IMAGES',
    );
    const expected = JSON.parse(JSON.stringify(event)) as unknown;
    for (const inv of [await executor.invoke(echo, event), await executor.invoke(echo, event)]) {
      expect(inv.status).toBe('ok');
      expect((inv.result as { event: unknown }).event).toEqual(expected);
    }
  });
});
