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

export function streamArn(table: string): string {
  return `arn:aws:dynamodb:${localRegion}:${localAccount}:table/${table}/stream/1970-01-01T00:00:00.000`;
}

/** DynamoDB's sequence numbers are decimal strings that sort as numbers; pad so they sort as strings too. */
export function sequenceNumber(seq: number): string {
  return String(seq).padStart(21, '0');
}

export function dynamodbRecord(r: StreamRecord, viewType: StreamViewType): DynamoDBRecord {
  const Keys = marshall(r.keys);
  const NewImage = r.newImage ? marshall(r.newImage) : undefined;
  const OldImage = r.oldImage ? marshall(r.oldImage) : undefined;
  const size = Buffer.byteLength(JSON.stringify([Keys, NewImage ?? null, OldImage ?? null]));
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
