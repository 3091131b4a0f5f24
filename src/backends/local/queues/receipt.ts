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

/** Parses a receipt handle, or throws a ValidationError saying what a handle looks like. */
export function parseReceipt(queue: string, handle: string): Receipt {
  if (typeof handle === 'string') {
    const dot = handle.indexOf('.');
    const id = decimal(handle, 0, dot);
    const seq = decimal(handle, dot + 1, handle.length);
    if (id >= 0 && seq >= 0) return { id, seq };
  }
  throw new ValidationError(`Queue '${queue}': ${show(handle)} is not a receipt handle.`, {
    action: 'Pass the receiptHandle of a message returned by receive on this queue.',
  });
}

/** The number written in text[from, to) as 1 to 15 decimal digits, or -1 if it is not that. */
function decimal(text: string, from: number, to: number): number {
  if (to - from < 1 || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}
