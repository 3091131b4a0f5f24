import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TooLargeError } from '../../src/core/errors.ts';
import { runJobStoreConformance } from '../conformance/jobs.ts';
import { dynamoSkipReason, makeAwsBackend, type AwsHarness } from '../helpers/aws.ts';

const skip = dynamoSkipReason();
const budget = { maxRelays: 10, maxFailures: 2 };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe.skipIf(skip !== undefined)(`job store on DynamoDB Local${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  runJobStoreConformance('aws (DynamoDB Local)', () => makeAwsBackend());

  describe('what only DynamoDB limits', () => {
    let h: AwsHarness;
    beforeEach(() => {
      h = makeAwsBackend();
    });
    afterEach(() => h.close());

    it('a checkpoint that does not fit in a 400 KB item is refused as too large, and the last one is kept', async () => {
      const jobs = h.backend.jobs;
      await jobs.create({ id: 'j', fn: 'f', executor: 'function', budget });
      await jobs.claim('j');
      await jobs.checkpoint('j', 1, '"small"');
      const err = await rejection(jobs.checkpoint('j', 1, JSON.stringify('x'.repeat(420 * 1024))));
      expect(err).toBeInstanceOf(TooLargeError);
      expect(err.message).toMatch(/job "j": the checkpoint is 420\.0 KiB, over the limit of 400\.0 KiB .*Store the value as an object \(objects\.put\) and checkpoint its key instead\./);
      expect(await jobs.get('j')).toMatchObject({ checkpoint: 'small', checkpointSeq: 1 });
    });

    it('a step result that does not fit is refused as too large, naming the setting that sends it to the object store', async () => {
      const jobs = h.backend.jobs;
      await jobs.create({ id: 'j', fn: 'f', executor: 'function', budget });
      await jobs.claim('j');
      const err = await rejection(jobs.journal('j', 1, { position: 0, name: 'load', status: 'done', attempts: 1, resultJson: JSON.stringify('y'.repeat(410 * 1024)) }));
      expect(err).toBeInstanceOf(TooLargeError);
      expect(err.message).toMatch(/job "j": step "load" is too large to journal.*stepInlineBytes/);
      expect(await jobs.steps('j')).toEqual([]);
    });

    it('an input too large for an item is refused at create, and no job is left behind', async () => {
      const err = await rejection(h.backend.jobs.create({ id: 'big', fn: 'f', executor: 'function', budget, input: 'z'.repeat(410 * 1024) }));
      expect(err).toBeInstanceOf(TooLargeError);
      expect(err.message).toMatch(/job "big": its input is too large to store/);
      expect(await h.backend.jobs.get('big')).toBeUndefined();
    });

    it('connection() names the aws backend and the environment its handler side opens it from', () => {
      const c = h.backend.jobs.connection();
      expect(c).toEqual({ backend: 'aws', env: expect.objectContaining({ AWS_REGION: 'us-east-1', BATON_AWS_PREFIX: h.prefix, AWS_ENDPOINT_URL_DYNAMODB: h.backend.options.endpoints.dynamodb }) });
    });
  });
});
