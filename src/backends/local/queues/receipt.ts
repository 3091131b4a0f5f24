import { ValidationError, show } from '../../../core/errors.ts';

/**
 * Receipt handles are `<row id>.<lease seq>`: the row id makes every lease operation a primary-key
 * lookup, and the lease sequence (bumped by every receive) is the fencing token checked against it.
 */
export interface Receipt {
  id: number;
  seq: number;
}

export function encodeReceipt(id: number, seq: number): string {
  return `${id}.${seq}`;
}

const pattern = /^(\d{1,15})\.(\d{1,15})$/;

/** Parses a receipt handle, or throws a ValidationError saying what a handle looks like. */
export function parseReceipt(queue: string, handle: string): Receipt {
  const match = typeof handle === 'string' ? pattern.exec(handle) : null;
  if (!match) {
    throw new ValidationError(`Queue '${queue}': ${show(handle)} is not a receipt handle.`, {
      action: 'Pass the receiptHandle of a message returned by receive on this queue.',
    });
  }
  return { id: Number(match[1]), seq: Number(match[2]) };
}
