import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { embeddedArn, embeddedRegion, streamLabel } from '../../src/core/region.ts';

describe('the embedded region', () => {
  it('is us-east-1 unless BATON_REGION names another region', () => {
    expect(embeddedRegion({})).toBe('us-east-1');
    expect(embeddedRegion({ BATON_REGION: 'eu-west-3' })).toBe('eu-west-3');
    expect(embeddedRegion({ BATON_REGION: 'us-gov-west-1' })).toBe('us-gov-west-1');
    expect(() => embeddedRegion({ BATON_REGION: 'local' })).toThrow(ValidationError);
    expect(() => embeddedRegion({ BATON_REGION: 'local' })).toThrow(/BATON_REGION is "local", which is not a region name\. Set it to a region such as us-east-1/);
  });

  it('builds ARNs in that region and account', () => {
    expect(embeddedArn('sqs', 'orders', 'eu-west-1')).toBe('arn:aws:sqs:eu-west-1:000000000000:orders');
  });

  it("labels a stream with a time written as DynamoDB's", () => {
    expect(streamLabel(Date.UTC(2026, 11, 6, 4, 33, 15, 123))).toBe('2026-12-06T04:33:15.123');
  });
});
