/**
 * The DynamoDB stream event a table-stream trigger hands its function (@types/aws-lambda
 * DynamoDBStreamEvent): keys and images in DynamoDB's attribute-value JSON, with a small
 * marshaller for the plain JSON items the table store keeps.
 */
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ValidationError } from '../../../core/errors.ts';
import { encodedEvent, type EncodedEvent } from '../../../ports/executor.ts';
import { storedJson, type Item, type Key, type StreamRecord, type StreamViewType } from '../../../ports/tables.ts';
import { streamLabel } from '../../../core/region.ts';
import { localAccount, localRegion } from './aws.ts';

/** One JSON value in attribute-value form: {S}, {N}, {BOOL}, {NULL: true}, {L}, {M}. */
export function marshallValue(value: unknown): AttributeValue {
  return sizedValue(value);
}

/** A whole item: each attribute in attribute-value form (undefined attributes are left out). */
export function marshall(item: Record<string, unknown>): Record<string, AttributeValue> {
  return sizedItem(item);
}

/** The plain JSON value of an attribute value (as @aws-sdk/util-dynamodb's unmarshall, numbers as JS numbers). */
export function unmarshallValue(av: AttributeValue): unknown {
  if (av.S !== undefined) return av.S;
  if (av.N !== undefined) return Number(av.N);
  if (av.BOOL !== undefined) return av.BOOL;
  if (av.NULL) return null;
  if (av.L) return av.L.map(unmarshallValue);
  if (av.M) return unmarshall(av.M);
  throw new ValidationError(`Cannot unmarshall the attribute value ${JSON.stringify(av).slice(0, 80)}: only S, N, BOOL, NULL, L and M are used by Baton's streams.`);
}

/** A stream image (NewImage, OldImage, Keys) as a plain item: what the handler's table reads return. */
export function unmarshall(image: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(image)) out[k] = unmarshallValue(image[k]!);
  return out;
}

const labels = new Map<string, string>();

/**
 * The table's stream ARN. DynamoDB labels a stream with the time it was enabled; the local store
 * does not keep that, so the label is the time of the first change this process hands on for the
 * table (`at`), the same for every record after it: a real time, stable while the engine runs.
 */
export function streamArn(table: string, at: number): string {
  let label = labels.get(table);
  if (label === undefined) {
    label = streamLabel(at);
    labels.set(table, label);
  }
  return `arn:aws:dynamodb:${localRegion}:${localAccount}:table/${table}/stream/${label}`;
}

/** DynamoDB's sequence numbers are decimal strings that sort as numbers; pad so they sort as strings too. */
export function sequenceNumber(seq: number): string {
  return String(seq).padStart(21, '0');
}

/**
 * The one attribute-value walk (marshall and marshallValue are it, ignoring the count). It also
 * counts SizeBytes, an item's size as DynamoDB counts it, into `sized.bytes` (attribute names plus
 * values; a number by its digits, a list or map 3 bytes plus its elements, each element of a list
 * 1 more), so a stream event's images are marshalled and sized in one pass. Strings count their
 * UTF-16 length, which equals their UTF-8 bytes for ASCII: SizeBytes is informational, not worth
 * encoding every string. (Module state: the walk is synchronous and never re-entered.)
 */
const sized = { bytes: 0 };

function sizedValue(v: unknown): AttributeValue {
  if (typeof v === 'string') {
    sized.bytes += v.length;
    return { S: v };
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValidationError(`Cannot marshall ${v} to a DynamoDB number.`, { action: 'Store finite numbers only.' });
    const text = String(v);
    let digits = text.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 45 || c === 46) digits--; // '-' and '.' do not count
    }
    sized.bytes += Math.ceil(digits / 2) + 1;
    return { N: text };
  }
  if (v === null || v === undefined) {
    sized.bytes += 1;
    return { NULL: true };
  }
  if (typeof v === 'boolean') {
    sized.bytes += 1;
    return { BOOL: v };
  }
  if (Array.isArray(v)) {
    sized.bytes += 3 + v.length;
    const L = new Array<AttributeValue>(v.length);
    for (let i = 0; i < v.length; i++) L[i] = sizedValue(v[i]);
    return { L };
  }
  if (typeof v === 'object') {
    sized.bytes += 3;
    return { M: sizedItem(v as Record<string, unknown>) };
  }
  throw new ValidationError(`Cannot marshall a ${typeof v} to a DynamoDB attribute value.`, { action: 'Store JSON values only.' });
}

function sizedItem(item: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const k of Object.keys(item)) {
    const v = item[k];
    if (v === undefined) continue;
    sized.bytes += k.length;
    out[k] = sizedValue(v);
  }
  return out;
}

export function dynamodbRecord(r: StreamRecord, viewType: StreamViewType): DynamoDBRecord {
  return { ...recordHead(r), dynamodb: streamRecordBody(r, viewType), eventSourceARN: streamArn(r.table, r.createdAt) };
}

function recordHead(r: StreamRecord): Omit<DynamoDBRecord, 'dynamodb'> {
  return {
    eventID: `${r.table}-${sequenceNumber(r.sequence)}`,
    eventName: r.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: localRegion,
  };
}

function streamRecordBody(r: StreamRecord, viewType: StreamViewType): NonNullable<DynamoDBRecord['dynamodb']> {
  return recordBody(r.sequence, r.createdAt, r.keys, r.newImage, r.oldImage, viewType);
}

/** The record's `dynamodb`: images marshalled and SizeBytes counted in one walk (sizedItem). */
function recordBody(sequence: number, createdAt: number, keys: Key, newImage: Item | null | undefined, oldImage: Item | null | undefined, viewType: StreamViewType): NonNullable<DynamoDBRecord['dynamodb']> {
  sized.bytes = 0;
  const body: NonNullable<DynamoDBRecord['dynamodb']> = { ApproximateCreationDateTime: Math.floor(createdAt / 1000), Keys: sizedItem(keys) };
  if (newImage) body.NewImage = sizedItem(newImage);
  if (oldImage) body.OldImage = sizedItem(oldImage);
  body.SequenceNumber = sequenceNumber(sequence);
  body.SizeBytes = sized.bytes;
  body.StreamViewType = viewType;
  return body;
}

/**
 * The event for a batch of records. Its attribute-value images are built only when read (a run's
 * input summary reads the first few), and it carries its wire form (encodedEvent): the stored JSON
 * texts of keys and images, which a worker turns into the same event (dynamodbEventFromWire), so
 * the thread that reads the stream never marshals a batch.
 */
export function dynamodbEvent(records: readonly StreamRecord[], viewType: StreamViewType): DynamoDBStreamEvent {
  const Records = new Array<DynamoDBRecord>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const record = recordHead(r) as DynamoDBRecord;
    Object.defineProperty(record, builtFrom, { value: { source: r, viewType } });
    Object.defineProperty(record, 'dynamodb', lazyBody);
    record.eventSourceARN = streamArn(r.table, r.createdAt);
    Records[i] = record;
  }
  const event: DynamoDBStreamEvent = { Records };
  const wire: EncodedEvent = { decoder: 'dynamodb-stream', wire: () => wireJson(records, viewType) };
  Object.defineProperty(event, encodedEvent, { value: wire });
  return event;
}

/**
 * What each engine-side record's `dynamodb` is built from: a property that is not enumerable, so
 * JSON, spreads and Object.keys do not see it, and that reads through whatever reaches the record
 * (an object made with Object.create(record), a Proxy of it), as the accessor below does. (It was a
 * WeakMap keyed by the record, which such a reader is not: the read threw.)
 */
const builtFrom = Symbol('baton.dynamodb.builtFrom');

/**
 * `dynamodb` of the engine's records, built when first read and then an ordinary enumerable data
 * property where the accessor was (the record, also when read through an object inheriting from it
 * or a Proxy of it), as SQS records' md5OfBody. A record frozen before the read builds it again at
 * each read. One descriptor for all records: no closures per record.
 */
const lazyBody: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: DynamoDBRecord & { [builtFrom]: { source: StreamRecord; viewType: StreamViewType } }) {
    const { source, viewType } = this[builtFrom];
    const value = streamRecordBody(source, viewType);
    let holder: object | null = this;
    while (holder !== null && !Object.prototype.hasOwnProperty.call(holder, 'dynamodb')) holder = Reflect.getPrototypeOf(holder);
    if (holder !== null) Reflect.defineProperty(holder, 'dynamodb', { value, enumerable: true, configurable: true, writable: true });
    return value;
  },
  set(this: DynamoDBRecord, value: DynamoDBRecord['dynamodb']) {
    Object.defineProperty(this, 'dynamodb', { value, enumerable: true, configurable: true, writable: true });
  },
};

/**
 * `[viewType, [[sequence, eventName, table, createdAt, keys, newImage|null, oldImage|null], ...], streamArns]`,
 * from stored text where there is some; streamArns ({ table: arn }) carries this thread's stream
 * labels, so a worker's records name the same stream as the engine's.
 */
function wireJson(records: readonly StreamRecord[], viewType: StreamViewType): string {
  const arns: Record<string, string> = {};
  const quoted = new Map<string, string>(); // JSON strings of the table and event names, once each
  const quote = (name: string) => {
    let q = quoted.get(name);
    if (q === undefined) quoted.set(name, (q = JSON.stringify(name)));
    return q;
  };
  let rows = '';
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    arns[r.table] ??= streamArn(r.table, r.createdAt);
    const stored = r[storedJson];
    const keys = stored?.keys ?? JSON.stringify(r.keys);
    const newImage = stored ? (stored.newImage ?? 'null') : (JSON.stringify(r.newImage) ?? 'null');
    const oldImage = stored ? (stored.oldImage ?? 'null') : (JSON.stringify(r.oldImage) ?? 'null');
    rows += `${i === 0 ? '' : ','}[${r.sequence},${quote(r.eventName)},${quote(r.table)},${r.createdAt},${keys},${newImage},${oldImage}]`;
  }
  return `[${JSON.stringify(viewType)},[${rows}],${JSON.stringify(arns)}]`;
}

type WireRow = [number, StreamRecord['eventName'], string, number, Key, Item | null, Item | null];

/** The event dynamodbEvent stands for, from its wire form: what a handler in a worker receives. */
export function dynamodbEventFromWire(json: string): DynamoDBStreamEvent {
  const [viewType, rows, arns = {}] = JSON.parse(json) as [StreamViewType, WireRow[], Record<string, string>?];
  const Records = new Array<DynamoDBRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [sequence, eventName, table, createdAt, keys, newImage, oldImage] = rows[i]!;
    // The same properties, in the same order, as dynamodbRecord builds.
    Records[i] = {
      eventID: `${table}-${sequenceNumber(sequence)}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: localRegion,
      dynamodb: recordBody(sequence, createdAt, keys, newImage, oldImage, viewType),
      eventSourceARN: arns[table] ?? streamArn(table, createdAt),
    };
  }
  return { Records };
}
