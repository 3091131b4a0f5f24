import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodedEvent, type EncodedEvent } from '../../src/ports/executor.ts';
import type { ReceivedMessage } from '../../src/ports/queues.ts';
import { sqsEvent, sqsEventFromWire, sqsRecord } from '../../src/runtime/triggers/events/sqs.ts';
import { decodeEvent } from '../../src/runtime/executor/worker/decoders.ts';

const messages: ReceivedMessage[] = [
  { messageId: 'm-1', receiptHandle: '7.1', body: '{"order":1}', attributes: {}, receiveCount: 1, attempts: 0, sentAt: 1_000, firstReceivedAt: 2_000 },
  { messageId: 'm-2', receiptHandle: '8.3', body: 'zß水🚀 "quoted" \\ \n', attributes: { kind: 'retry', n: 42, big: 1.5e300 }, receiveCount: 3, attempts: 2, sentAt: 1_500, firstReceivedAt: 2_500 },
];

describe('the SQS event and its wire form', () => {
  it('a worker rebuilds from the wire exactly the event Lambda would hand the handler', () => {
    const event = sqsEvent('orders', messages);
    const wire = (event as unknown as Record<symbol, EncodedEvent>)[encodedEvent]!;
    expect(wire.decoder).toBe('sqs');
    const expected = { Records: messages.map((m) => sqsRecord('orders', m)) };
    expect(sqsEventFromWire(wire.wire())).toEqual(expected);
    expect(decodeEvent(wire.wire(), wire.decoder)).toEqual(expected);
    // The event in this thread reads the same, and serializes the same (a run's input summary).
    expect(JSON.parse(JSON.stringify(event))).toEqual(expected);
    const second = expected.Records[1]!;
    expect(second.md5OfBody).toBe(createHash('md5').update(messages[1]!.body, 'utf8').digest('hex'));
    expect(second.messageAttributes).toEqual({
      kind: { stringValue: 'retry', stringListValues: [], binaryListValues: [], dataType: 'String' },
      n: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      big: { stringValue: '1.5e+300', stringListValues: [], binaryListValues: [], dataType: 'Number' },
    });
    expect(second.attributes).toEqual({ ApproximateReceiveCount: '3', SentTimestamp: '1500', SenderId: expect.any(String), ApproximateFirstReceiveTimestamp: '2500' });
  });
});

describe('md5OfBody', () => {
  const hex = (body: string) => createHash('md5').update(body, 'utf8').digest('hex');
  const wireOf = (ms: ReceivedMessage[]) => (sqsEvent('orders', ms) as unknown as Record<symbol, EncodedEvent>)[encodedEvent]!.wire();

  it('is an ordinary property in its place, of the body the record was built with', () => {
    const [first, second] = sqsEventFromWire(wireOf(messages)).Records;
    expect(Object.keys(second!)).toEqual(['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion']);
    second!.body = 'changed by the handler';
    expect(second!.md5OfBody).toBe(hex(messages[1]!.body));
    expect(Object.getOwnPropertyDescriptor(second, 'md5OfBody')).toEqual({ value: hex(messages[1]!.body), enumerable: true, configurable: true, writable: true });
    first!.md5OfBody = 'set by the handler';
    expect(first!.md5OfBody).toBe('set by the handler');
    expect(JSON.parse(JSON.stringify(first)).md5OfBody).toBe('set by the handler');
  });

  it('reads on a record the handler froze or sealed before reading it', () => {
    const [first, second] = sqsEventFromWire(wireOf(messages)).Records;
    expect(Object.freeze(first!).md5OfBody).toBe(hex(messages[0]!.body));
    expect(Object.seal(second!).md5OfBody).toBe(hex(messages[1]!.body));
    expect(JSON.parse(JSON.stringify(first)).md5OfBody).toBe(hex(messages[0]!.body));
    expect(Object.freeze(sqsEvent('orders', messages).Records[1]!).md5OfBody).toBe(hex(messages[1]!.body));
  });

  it('reads through an object made from the record (Object.create) and through a Proxy of it', () => {
    for (const [first, second] of [sqsEventFromWire(wireOf(messages)).Records, sqsEvent('orders', messages).Records]) {
      const child = Object.create(first!) as typeof first;
      expect(child!.md5OfBody).toBe(hex(messages[0]!.body));
      // As an inherited data property: the value is the record's, the child has none of its own.
      expect(Object.hasOwn(child!, 'md5OfBody')).toBe(false);
      expect(Object.getOwnPropertyDescriptor(first, 'md5OfBody')).toEqual({ value: hex(messages[0]!.body), enumerable: true, configurable: true, writable: true });
      child!.md5OfBody = 'set on the child';
      expect([child!.md5OfBody, first!.md5OfBody]).toEqual(['set on the child', hex(messages[0]!.body)]);
      const proxied = new Proxy(second!, {});
      expect(proxied.md5OfBody).toBe(hex(messages[1]!.body));
      expect(Object.getOwnPropertyDescriptor(second, 'md5OfBody')?.value).toBe(hex(messages[1]!.body));
      // The body it is built with is not among what JSON, spreads and keys see.
      expect(Object.keys({ ...second! })).toEqual(['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion']);
    }
  });

  it('bodies with line breaks, brackets and nothing at all come back whole from the wire', () => {
    const odd = ['', '\n', '[1,\n2]\n', '"', '\ud83d', 'x'.repeat(100_000)].map((body, i) => ({ ...messages[0]!, messageId: `m-${i}`, body }));
    const records = sqsEventFromWire(wireOf(odd)).Records;
    expect(records.map((r) => r.body)).toEqual(odd.map((m) => m.body));
    expect(records.map((r) => r.md5OfBody)).toEqual(odd.map((m) => hex(m.body)));
  });
});

describe('the SQS event in the receiving thread', () => {
  it('reads as a plain array of the records, built when first read', () => {
    const event = sqsEvent('orders', messages);
    const expected = messages.map((m) => sqsRecord('orders', m));
    expect(Array.isArray(event.Records)).toBe(true);
    expect(event.Records.length).toBe(2);
    expect(event.Records[1]).toEqual(expected[1]);
    expect(event.Records[1]).toBe(event.Records[1]);
    expect(1 in event.Records && !(2 in event.Records)).toBe(true);
    expect(Object.keys(event.Records)).toEqual(['0', '1']);
    expect([...event.Records]).toEqual(expected);
    expect(event.Records.map((r) => r.messageId)).toEqual(['m-1', 'm-2']);
    expect({ ...event }).toEqual({ Records: expected });
    expect(event.Records[2]).toBeUndefined();
  });
});
