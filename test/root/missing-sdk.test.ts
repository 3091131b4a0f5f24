import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { missingSdkError, unresolvable } from '../../src/root/missing-sdk.ts';

describe('a missing AWS SDK package', () => {
  const notFound = Object.assign(new Error("Cannot find package '@aws-sdk/client-sqs' imported from /app/node_modules/baton/src/backends/aws/clients.ts"), { code: 'ERR_MODULE_NOT_FOUND' });

  it('names every missing peer package and the npm install that fixes it', () => {
    const err = missingSdkError(notFound, (peers) => peers.filter((p) => p.endsWith('-sqs') || p.endsWith('-ssm')));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err?.message).toMatch(/optional peer dependencies of baton, and these are not installed: @aws-sdk\/client-sqs, @aws-sdk\/client-ssm\./);
    expect(err?.message).toMatch(/npm install @aws-sdk\/client-sqs @aws-sdk\/client-ssm/);
  });

  it('leaves other load errors alone', () => {
    expect(missingSdkError(Object.assign(new Error("Cannot find module '/x/store.ts'"), { code: 'ERR_MODULE_NOT_FOUND' }))).toBeUndefined();
    expect(missingSdkError(new TypeError('boom'))).toBeUndefined();
  });

  it('checks which peers resolve', () => {
    expect(unresolvable(['@aws-sdk/client-s3', '@aws-sdk/not-a-package'])).toEqual(['@aws-sdk/not-a-package']);
  });
});
