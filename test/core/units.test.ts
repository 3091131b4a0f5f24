import { describe, expect, it } from 'vitest';
import { parseDuration, formatDuration } from '../../src/core/duration.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { parseSize } from '../../src/core/size.ts';

describe('durations', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['15m', 900_000], ['2h', 7_200_000], ['7d', 604_800_000],
    ['1.5s', 1500], ['10 minutes', 600_000], [250, 250],
  ] as const)('%s is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', 'soon', '10 parsecs', '-5s', '5', 'NaN'])('refuses %j, naming the field', (input) => {
    expect(() => parseDuration(input, 'queue "q": visibilityTimeout')).toThrow(ValidationError);
    expect(() => parseDuration(input, 'queue "q": visibilityTimeout')).toThrow(/queue "q": visibilityTimeout: .* is not a valid duration/);
  });

  it('refuses negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/not a valid duration/);
    expect(() => parseDuration(Infinity)).toThrow(/not a valid duration/);
  });

  it('formats for people', () => {
    expect(formatDuration(12)).toBe('12ms');
    expect(formatDuration(1500)).toBe('1.50s');
    expect(formatDuration(125_000)).toBe('2m 5s');
  });
});

describe('sizes', () => {
  it.each([
    ['256KiB', 262_144], ['1MiB', 1_048_576], ['64KB', 64_000], ['5 MB', 5_000_000], ['512B', 512], ['100', 100], [42, 42],
  ] as const)('%s is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each(['big', '1.5.5MiB', '12 parsecs', '-1KiB'])('refuses %j', (input) => {
    expect(() => parseSize(input, 'maxMessageSize')).toThrow(/maxMessageSize: .* is not a valid size/);
  });

  it('refuses fractional byte counts', () => {
    expect(() => parseSize(1.5)).toThrow(ValidationError);
  });
});
