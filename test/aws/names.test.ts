import { describe, expect, it } from 'vitest';
import { Names } from '../../src/backends/aws/names.ts';

describe('aws physical names', () => {
  it('a bucket name is prefixed once: the physical name an S3 event record carries maps to itself', () => {
    const n = new Names('shop-dev-');
    expect(n.bucket('uploads')).toBe('shop-dev-uploads');
    expect(n.bucket(n.bucket('uploads'))).toBe('shop-dev-uploads');
    expect(n.queue('shop-dev-x')).toBe('shop-dev-shop-dev-x');
  });
  it('with no prefix every name is its own physical name', () => {
    expect(new Names('').bucket('uploads')).toBe('uploads');
  });
});
