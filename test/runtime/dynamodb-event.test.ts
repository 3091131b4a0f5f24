import { describe, expect, it } from 'vitest';
import { encodedEvent } from '../../src/ports/executor.ts';
import type { StreamRecord } from '../../src/ports/tables.ts';
import { dynamodbEvent, dynamodbEventFromWire, unmarshall } from '../../src/runtime/triggers/events/dynamodb.ts';

// An item with every kind of value a stored JSON item can hold.
const item = { id: 'a', n: -1.5, big: 1e21, ok: true, none: null, tags: ['x', 2, null], meta: { deep: { s: 'é' } } };
const old = { id: 'a', n: 3 };
const at = Date.UTC(2026, 11, 6, 8, 0, 0, 500);
const records: StreamRecord[] = [
  { sequence: 7, eventName: 'MODIFY', table: 'event-shape', keys: { id: 'a' }, newImage: item, oldImage: old, createdAt: at },
  { sequence: 8, eventName: 'REMOVE', table: 'event-shape', keys: { id: 'a' }, oldImage: item, createdAt: at + 1000 },
];

describe("the DynamoDB stream event (Lambda's shape, property order included)", () => {
  const arn = dynamodbEvent(records, 'NEW_AND_OLD_IMAGES').Records[0]!.eventSourceARN!;
  const image = {
    id: { S: 'a' },
    n: { N: '-1.5' },
    big: { N: '1e+21' },
    ok: { BOOL: true },
    none: { NULL: true },
    tags: { L: [{ S: 'x' }, { N: '2' }, { NULL: true }] },
    meta: { M: { deep: { M: { s: { S: 'é' } } } } },
  };
  // SizeBytes: names + values; a number ceil(digits / 2) + 1, a list or map 3 + its elements (+1 each in a list), others 1.
  // keys 3; item: id 3, n 1+2, big 3+4, ok 2+1, none 4+1, tags 4+(3+3+1+2+1), meta 4+(3+4+3+(1+1)) = 51; old: id 3, n 1+2 = 6.
  const expected = {
    Records: [
      {
        eventID: 'event-shape-000000000000000000007',
        eventName: 'MODIFY',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: { ApproximateCreationDateTime: Math.floor(at / 1000), Keys: { id: { S: 'a' } }, NewImage: image, OldImage: { id: { S: 'a' }, n: { N: '3' } }, SequenceNumber: '000000000000000000007', SizeBytes: 3 + 51 + 6, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        eventSourceARN: arn,
      },
      {
        eventID: 'event-shape-000000000000000000008',
        eventName: 'REMOVE',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: { ApproximateCreationDateTime: Math.floor(at / 1000) + 1, Keys: { id: { S: 'a' } }, OldImage: image, SequenceNumber: '000000000000000000008', SizeBytes: 3 + 51, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        eventSourceARN: arn,
      },
    ],
  };

  it('is the same built by the engine and decoded in a worker from its wire form', () => {
    const event = dynamodbEvent(records, 'NEW_AND_OLD_IMAGES');
    expect(arn).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/event-shape\/stream\//);
    expect(JSON.stringify(event)).toBe(JSON.stringify(expected));
    const wire = (event as unknown as Record<symbol, { wire(): string }>)[encodedEvent]!.wire();
    expect(JSON.stringify(dynamodbEventFromWire(wire))).toBe(JSON.stringify(expected));
    expect(unmarshall(dynamodbEventFromWire(wire).Records[0]!.dynamodb!.NewImage as never)).toEqual(item);
  });

  it("the engine's records are ordinary objects to a reader: dynamodb can be replaced, and a copy keeps it", () => {
    const event = dynamodbEvent(records, 'NEW_AND_OLD_IMAGES');
    const [first, second] = event.Records;
    expect(Object.keys(first!)).toEqual(['eventID', 'eventName', 'eventVersion', 'eventSource', 'awsRegion', 'dynamodb', 'eventSourceARN']);
    expect({ ...second! }.dynamodb).toEqual(expected.Records[1]!.dynamodb);
    first!.dynamodb = { Keys: { id: { S: 'b' } } };
    expect(first!.dynamodb).toEqual({ Keys: { id: { S: 'b' } } });
    expect(second!.dynamodb!.Keys).toEqual({ id: { S: 'a' } }); // each record keeps its own
  });

  it("the engine's records read through an object made from one (Object.create), a Proxy of one, and frozen", () => {
    const [first, second] = dynamodbEvent(records, 'NEW_AND_OLD_IMAGES').Records;
    const child = Object.create(first!) as typeof first;
    expect(child!.dynamodb).toEqual(expected.Records[0]!.dynamodb);
    // As an inherited data property: built once, on the record; the child has none of its own.
    expect(Object.hasOwn(child!, 'dynamodb')).toBe(false);
    expect(Object.getOwnPropertyDescriptor(first, 'dynamodb')?.value).toBe(child!.dynamodb);
    child!.dynamodb = { Keys: { id: { S: 'child' } } };
    expect([child!.dynamodb.Keys, first!.dynamodb!.Keys]).toEqual([{ id: { S: 'child' } }, { id: { S: 'a' } }]);
    expect(new Proxy(second!, {}).dynamodb).toEqual(expected.Records[1]!.dynamodb);
    expect(Object.freeze(dynamodbEvent(records, 'NEW_AND_OLD_IMAGES').Records[1]!).dynamodb).toEqual(expected.Records[1]!.dynamodb);
    expect(Object.keys({ ...second! })).toEqual(['eventID', 'eventName', 'eventVersion', 'eventSource', 'awsRegion', 'dynamodb', 'eventSourceARN']);
  });

  it('refuses a value DynamoDB cannot hold, naming it', () => {
    const bad = { ...records[0]!, newImage: { id: 'a', n: Number.POSITIVE_INFINITY } };
    expect(() => JSON.stringify(dynamodbEvent([bad], 'NEW_IMAGE'))).toThrow(/Infinity/);
  });
});
