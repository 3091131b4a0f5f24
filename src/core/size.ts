import { ValidationError, show } from './errors.ts';

/** A size: bytes as a number, or a human string such as '256KiB', '1MiB', '64KB', '5 MB'. */
export type Size = number | string;

const unitBytes: Record<string, number> = {
  b: 1,
  kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3,
};

const pattern = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i;

/** Parses a size to bytes. Throws a ValidationError naming `where` when it cannot. */
export function parseSize(value: Size, where = 'size'): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new ValidationError(`${where}: ${show(value)} is not a valid size; expected a whole number of bytes or a string like '256KiB', '1MiB'.`);
  }
  const match = typeof value === 'string' ? pattern.exec(value) : null;
  const factor = match ? (match[2] ? unitBytes[match[2].toLowerCase()] : 1) : undefined;
  if (!match || factor === undefined) {
    throw new ValidationError(`${where}: ${show(value)} is not a valid size; expected a number of bytes or a string like '512B', '64KB', '256KiB', '1MiB'.`);
  }
  return Math.round(Number(match[1]) * factor);
}

/** Formats bytes as a short human string ('1.5 MiB'). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
