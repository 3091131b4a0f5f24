/**
 * Turning put records into lines, with Firehose's limits checked first so a refused request
 * changes nothing: at most 500 records and 4 MiB per batch, 1,000 KiB per record.
 */
import { defaults } from '../../core/defaults.ts';
import { TooLargeError, ValidationError, show } from '../../core/errors.ts';
import { formatSize } from '../../core/size.ts';
import { validateRecord } from '../standardize/record.ts';
import type { z } from 'zod';

/** A record: text or bytes (one JSON document, sent as is) or a value (sent as JSON). */
export type FirehoseRecord = string | Uint8Array | Record<string, unknown> | unknown[];

const NL = 0x0a;

function bytesOf(record: FirehoseRecord, where: string): Buffer {
  if (typeof record === 'string') return Buffer.from(record, 'utf8');
  if (record instanceof Uint8Array) return Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  if (record !== null && typeof record === 'object') return Buffer.from(JSON.stringify(record), 'utf8');
  throw new ValidationError(`${where} is ${show(record)}, not a record.`, { action: 'Put a string, bytes, or a JSON object.' });
}

export interface Framed {
  /** Valid records as lines, joined. */
  data: Buffer;
  count: number;
  /** Records refused by the schema, as error lines ({ reason, arrivedAt, rawData }). */
  errors: Buffer[];
  /** Per record: the reason it goes to the error prefix, if it does. */
  reasons: Array<string | undefined>;
}

export function frame(stream: string, records: readonly FirehoseRecord[], arrivedAt: number, schema: z.ZodType | undefined): Framed {
  const lim = defaults.data.firehose;
  if (!Array.isArray(records) || records.length === 0) {
    throw new ValidationError(`putRecordBatch on firehose "${stream}" needs 1 to ${lim.maxBatchRecords} records; got ${Array.isArray(records) ? 'none' : show(records)}.`);
  }
  if (records.length > lim.maxBatchRecords) {
    throw new TooLargeError(`putRecordBatch on firehose "${stream}" got ${records.length} records; the limit is ${lim.maxBatchRecords} per call, as Firehose.`, { action: `Split the batch into calls of at most ${lim.maxBatchRecords}.` });
  }
  const parts: Buffer[] = [];
  const errors: Buffer[] = [];
  const reasons: Array<string | undefined> = [];
  let total = 0;
  let count = 0;
  records.forEach((record, i) => {
    const bytes = bytesOf(record, `Record ${i} of the batch for firehose "${stream}"`);
    if (bytes.length > lim.maxRecordBytes) {
      throw new TooLargeError(`Record ${i} of the batch for firehose "${stream}" is ${bytes.length} bytes; the limit is ${lim.maxRecordBytes} bytes (${formatSize(lim.maxRecordBytes)}) per record, as Firehose.`, { action: 'Split the record, or store it as an object and put its key.' });
    }
    total += bytes.length;
    if (total > lim.maxBatchBytes) {
      throw new TooLargeError(`The batch for firehose "${stream}" exceeds ${lim.maxBatchBytes} bytes (${formatSize(lim.maxBatchBytes)}) at record ${i}; that is the limit per putRecordBatch, as Firehose.`, { action: 'Send fewer records per call.' });
    }
    const reason = schema ? check(schema, record, bytes) : undefined;
    reasons.push(reason);
    if (reason !== undefined) {
      errors.push(Buffer.from(JSON.stringify({ reason, arrivedAt: new Date(arrivedAt).toISOString(), rawData: bytes.toString('base64') }) + '\n'));
      return;
    }
    parts.push(bytes);
    if (bytes[bytes.length - 1] !== NL) parts.push(Buffer.from('\n'));
    count++;
  });
  return { data: Buffer.concat(parts), count, errors, reasons };
}

function check(schema: z.ZodType, record: FirehoseRecord, bytes: Buffer): string | undefined {
  let value: unknown = record;
  if (typeof record === 'string' || record instanceof Uint8Array) {
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      return 'malformed JSON';
    }
  }
  const r = validateRecord(schema, value);
  return r.ok ? undefined : r.reasons.join('; ');
}
