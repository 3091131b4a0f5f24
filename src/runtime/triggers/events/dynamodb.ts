/**
 * The DynamoDB stream event a table-stream trigger hands its function (@types/aws-lambda
 * DynamoDBStreamEvent): keys and images in DynamoDB's attribute-value JSON, with a small
 * marshaller for the plain JSON items the table store keeps.
 */
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ValidationError } from '../../../core/errors.ts';
import type { StreamRecord, StreamViewType } from '../../../ports/tables.ts';
import { localAccount, localRegion } from './aws.ts';

/** One JSON value in attribute-value form: {S}, {N}, {BOOL}, {NULL: true}, {L}, {M}. */
export function marshallValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`Cannot marshall ${value} to a DynamoDB number.`, { action: 'Store finite numbers only.' });
    return { N: String(value) };
  }
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshallValue) };
  if (typeof value === 'object') return { M: marshall(value as Record<string, unknown>) };
  throw new ValidationError(`Cannot marshall a ${typeof value} to a DynamoDB attribute value.`, { action: 'Store JSON values only.' });
}

/** A whole item: each attribute in attribute-value form (undefined attributes are left out). */
export function marshall(item: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(item)) if (v !== undefined) out[k] = marshallValue(v);
  return out;
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
  for (const [k, v] of Object.entries(image)) out[k] = unmarshallValue(v);
  return out;
}

export function streamArn(table: string): string {
  return `arn:aws:dynamodb:${localRegion}:${localAccount}:table/${table}/stream/1970-01-01T00:00:00.000`;
}

/** DynamoDB's sequence numbers are decimal strings that sort as numbers; pad so they sort as strings too. */
export function sequenceNumber(seq: number): string {
  return String(seq).padStart(21, '0');
}

/**
 * An item's size as DynamoDB counts it (attribute names plus values; a number by its digits, a
 * list or map 3 bytes plus its elements), for SizeBytes. Strings count their UTF-16 length, which
 * equals their UTF-8 bytes for ASCII: SizeBytes is informational, not worth encoding every string.
 */
function itemBytes(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) if (v !== undefined) n += k.length + valueBytes(v);
  return n;
}

function valueBytes(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number') return Math.ceil(String(v).replace(/[-.]/g, '').length / 2) + 1;
  if (Array.isArray(v)) return v.reduce((a: number, x) => a + 1 + valueBytes(x), 3);
  if (v !== null && typeof v === 'object') return 3 + itemBytes(v as Record<string, unknown>);
  return 1;
}

export function dynamodbRecord(r: StreamRecord, viewType: StreamViewType): DynamoDBRecord {
  const Keys = marshall(r.keys);
  const NewImage = r.newImage ? marshall(r.newImage) : undefined;
  const OldImage = r.oldImage ? marshall(r.oldImage) : undefined;
  const size = itemBytes(r.keys) + (r.newImage ? itemBytes(r.newImage) : 0) + (r.oldImage ? itemBytes(r.oldImage) : 0);
  return {
    eventID: `${r.table}-${sequenceNumber(r.sequence)}`,
    eventName: r.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: localRegion,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(r.createdAt / 1000),
      Keys,
      ...(NewImage ? { NewImage } : {}),
      ...(OldImage ? { OldImage } : {}),
      SequenceNumber: sequenceNumber(r.sequence),
      SizeBytes: size,
      StreamViewType: viewType,
    },
    eventSourceARN: streamArn(r.table),
  };
}

export function dynamodbEvent(records: readonly StreamRecord[], viewType: StreamViewType): DynamoDBStreamEvent {
  return { Records: records.map((r) => dynamodbRecord(r, viewType)) };
}
