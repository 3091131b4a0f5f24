/** What both backends' stream reads share: the `eventNames` option and the `last` of a read. */
import { show, ValidationError } from '../../../core/errors.ts';
import type { StreamEventName, StreamRecord, StreamRecords } from '../../../ports/tables.ts';

const kinds: readonly StreamEventName[] = ['INSERT', 'MODIFY', 'REMOVE'];

/**
 * A filtered read's records with `last` and `skipped` set (non-enumerable, so the array compares
 * and prints as a plain one). `read`: how many records the read went through.
 */
export function streamRecords(records: StreamRecord[], last: number | undefined, read: number): StreamRecords {
  if (last !== undefined) Object.defineProperty(records, 'last', { value: last, enumerable: false });
  Object.defineProperty(records, 'skipped', { value: read - records.length, enumerable: false });
  return records;
}

/** The `eventNames` of a read, checked: undefined (every kind) or a non-empty list of kinds. */
export function checkEventNames(table: string, eventNames: unknown): readonly StreamEventName[] | undefined {
  if (eventNames === undefined) return undefined;
  if (!Array.isArray(eventNames) || eventNames.length === 0 || !eventNames.every((e) => kinds.includes(e as StreamEventName))) {
    throw new ValidationError(`Stream read on table "${table}": eventNames ${show(eventNames)} must be a non-empty list of 'INSERT', 'MODIFY' and 'REMOVE'.`);
  }
  return eventNames as StreamEventName[];
}
