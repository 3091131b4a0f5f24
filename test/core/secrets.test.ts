import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, redactedMarker, redactSecrets, rememberSecret } from '../../src/core/secrets.ts';

afterEach(() => forgetSecrets());

describe('redactSecrets', () => {
  it('replaces every known value, the longest first, and its JSON-escaped form', () => {
    rememberSecret('abcd');
    rememberSecret('abcdef');
    rememberSecret('a"b\\c');
    expect(redactSecrets('x abcdef y abcd z')).toBe(`x ${redactedMarker} y ${redactedMarker} z`);
    expect(redactSecrets(JSON.stringify({ v: 'a"b\\c' }))).toBe(`{"v":"${redactedMarker}"}`);
    expect(redactSecrets('a.b*c+d')).toBe('a.b*c+d');
  });

  it('leaves text alone when no secret is known, and ignores values too short to be worth hiding', () => {
    expect(redactSecrets('abcd')).toBe('abcd');
    rememberSecret('on');
    expect(redactSecrets('turned on')).toBe('turned on');
  });
});
