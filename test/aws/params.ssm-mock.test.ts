/**
 * The aws params store over an in-memory SSM (test/helpers/ssm-mock.ts, aws-sdk-client-mock): there
 * is no SSM server to run on 127.0.0.1. The shared conformance suite runs against it, and the
 * requests the store sends are checked as sent (what a user's IAM policy must allow, and that a
 * secret travels only as the value of a SecureString put).
 */
import { ThrottlingException, ValidationException } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsBackend, AwsBackendOptions } from '../../src/backends/aws/index.ts';
import { ConditionFailedError, NotFoundError, ThrottledError, ValidationError } from '../../src/core/errors.ts';
import { runParamConformance } from '../conformance/params.ts';
import type { Skips } from '../conformance/skips.ts';
import { makeAwsBackend } from '../helpers/aws.ts';
import type { BackendHarness } from '../helpers/backend-factory.ts';
import { SsmMock } from '../helpers/ssm-mock.ts';

interface SsmHarness extends BackendHarness {
  backend: AwsBackend;
  ssm: SsmMock;
}

/** The aws backend on the test harness (its SSM endpoint is a closed port) with its SSM client mocked: nothing reaches AWS. */
function makeMockedAws(options: Pick<AwsBackendOptions, 'paramsKeyId'> = {}): SsmHarness {
  const base = makeAwsBackend(options);
  const ssm = new SsmMock(base.clock);
  const h: SsmHarness = Object.assign(base, {
    ssm,
    async close() {
      await base.backend.close();
      ssm.restore();
    },
  });
  return h;
}

const skips: Skips = {
  'returns the description with get': "SSM's GetParameter returns no description; DescribeParameters on every get would double the requests under a low rate limit (history returns it)",
  'keeps the description with get on an overwrite that gives none': "SSM's GetParameter returns no description (history keeps it, tested in the history case)",
  'encrypts the same value differently each time (a random IV per value)': 'SSM encrypts SecureString values with KMS, not this store; there is no KMS here, so a pass would test only the mock',
  'of two runs advancing the same checkpoint at once, exactly one wins':
    'SSM has no put conditional on a version: the loser is told ConditionFailedError, but its value is written as version 3 (asserted as such below)',
};

runParamConformance('aws (SSM mock)', () => makeMockedAws(), skips);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const SECRET = 'hunter2-S3CR3T-value';

describe('aws params: the requests sent to SSM (mock)', () => {
  let h: SsmHarness;
  beforeEach(() => {
    h = makeMockedAws();
  });
  afterEach(async () => {
    await h.close();
  });
  const sent = () => h.ssm.requests();

  it('puts a SecureString as Type SecureString with the default key; the plaintext travels only as its Value', async () => {
    await h.backend.params.put('/app/token', { value: SECRET, type: 'SecureString', description: 'api token' });
    const hidden = await h.backend.params.get('/app/token');
    expect(hidden.value).not.toContain('hunter2');
    expect((await h.backend.params.get('/app/token', { withDecryption: true })).value).toBe(SECRET);
    expect(sent()).toEqual([
      { command: 'PutParameter', input: { Name: '/app/token', Value: SECRET, Type: 'SecureString', Overwrite: false, Description: 'api token' } },
      { command: 'GetParameter', input: { Name: '/app/token', WithDecryption: false } },
      { command: 'GetParameter', input: { Name: '/app/token', WithDecryption: true } },
    ]);
    const elsewhere = sent().map(({ command, input }) => JSON.stringify(command === 'PutParameter' ? { ...input, Value: undefined } : input));
    expect(elsewhere.join('\n')).not.toContain('hunter2');
    expect(h.ssm.stored('/app/token')?.[0]?.keyId).toBe('alias/aws/ssm');
  });

  it('sends the configured KMS key for SecureString puts only, and hands it to handlers', async () => {
    const keyed = makeMockedAws({ paramsKeyId: 'alias/baton-params' });
    try {
      await keyed.backend.params.put('/k/secret', { value: SECRET, type: 'SecureString' });
      await keyed.backend.params.put('/k/plain', { value: 'p' });
      const puts = keyed.ssm.requests().filter((r) => r.command === 'PutParameter');
      expect(puts.map((r) => r.input.KeyId)).toEqual(['alias/baton-params', undefined]);
      expect(keyed.backend.handlerEnv.BATON_AWS_PARAMS_KEY_ID).toBe('alias/baton-params');
    } finally {
      await keyed.close();
    }
  });

  it('reads a given version with the name:version selector', async () => {
    await h.backend.params.put('/v/x', { value: 'one' });
    await h.backend.params.put('/v/x', { value: 'two', overwrite: true });
    expect(await h.backend.params.get('/v/x', { version: 1 })).toMatchObject({ name: '/v/x', value: 'one', version: 1 });
    expect(sent().at(-1)).toEqual({ command: 'GetParameter', input: { Name: '/v/x:1', WithDecryption: false } });
  });

  it('getByPath follows NextToken in pages of 10 and returns the names in order', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `/many/p${String(i).padStart(2, '0')}`);
    for (const n of names) await h.backend.params.put(n, { value: n });
    await h.backend.params.put('/many/deeper/q', { value: 'q' });
    const before = sent().length;
    expect((await h.backend.params.getByPath('/many')).map((p) => p.name)).toEqual(names);
    const pages = sent().slice(before);
    expect(pages.map((r) => r.command)).toEqual(['GetParametersByPath', 'GetParametersByPath', 'GetParametersByPath']);
    expect(pages.map((r) => r.input.MaxResults)).toEqual([10, 10, 10]);
    expect(pages[0]!.input).toMatchObject({ Path: '/many', Recursive: false, WithDecryption: false });
    expect(pages[0]!.input.NextToken).toBeUndefined();
    expect(typeof pages[1]!.input.NextToken).toBe('string');
    expect(pages[2]!.input.NextToken).not.toBe(pages[1]!.input.NextToken);
    expect(await h.backend.params.getByPath('/many', { recursive: true })).toHaveLength(26);
  });

  it('history follows NextToken in pages of 50, oldest first, with descriptions', async () => {
    for (let i = 1; i <= 60; i++) await h.backend.params.put('/h/x', { value: `v${i}`, overwrite: true, ...(i === 1 ? { description: 'counter' } : {}) });
    const before = sent().length;
    const list = await h.backend.params.history('/h/x');
    expect(list.map((p) => p.version)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(list.every((p) => p.description === 'counter')).toBe(true);
    const pages = sent().slice(before);
    expect(pages.map((r) => [r.command, r.input.MaxResults, typeof r.input.NextToken])).toEqual([
      ['GetParameterHistory', 50, 'undefined'],
      ['GetParameterHistory', 50, 'string'],
    ]);
  });

  it('expectedVersion 0 is one PutParameter with Overwrite false, and nothing is read first', async () => {
    expect(await h.backend.params.put('/cas/new', { value: 'a', expectedVersion: 0 })).toEqual({ version: 1 });
    expect(sent()).toEqual([{ command: 'PutParameter', input: { Name: '/cas/new', Value: 'a', Type: 'String', Overwrite: false } }]);
  });

  it('expectedVersion n reads the current version and puts with Overwrite only when it matches', async () => {
    await h.backend.params.put('/cas/x', { value: 'a', type: 'StringList' });
    await h.backend.params.put('/cas/x', { value: 'b', expectedVersion: 1 });
    expect(sent().slice(1)).toEqual([
      { command: 'GetParameter', input: { Name: '/cas/x', WithDecryption: false } },
      { command: 'PutParameter', input: { Name: '/cas/x', Value: 'b', Type: 'StringList', Overwrite: true } },
    ]);
    const stale = await rejection(h.backend.params.put('/cas/x', { value: 'c', expectedVersion: 1 }));
    expect(stale).toBeInstanceOf(ConditionFailedError);
    expect(sent().slice(3).map((r) => r.command)).toEqual(['GetParameter']);
  });

  it('a writer racing in between the read and the put gives ConditionFailedError saying the value was written', async () => {
    await h.backend.params.put('/cas/cursor', { value: '0' });
    let raced = false;
    h.ssm.before = async (command) => {
      if (command !== 'PutParameter' || raced) return;
      raced = true;
      await h.backend.params.put('/cas/cursor', { value: 'other', type: 'String', overwrite: true });
    };
    const err = await rejection(h.backend.params.put('/cas/cursor', { value: 'mine', expectedVersion: 1 }));
    expect(err).toBeInstanceOf(ConditionFailedError);
    expect(err.message).toContain('/cas/cursor');
    expect(err.message).toMatch(/expected version 1\b/);
    expect(err.message).toMatch(/another writer/);
    expect(err.message).toMatch(/written all the same, as version 3\b/);
    // SSM's limit, asserted so a change is noticed: the losing value stays, as the latest.
    expect(await h.backend.params.get('/cas/cursor')).toMatchObject({ value: 'mine', version: 3 });
  });

  it('of two runs advancing one checkpoint at once, exactly one is told it won (both values are written)', async () => {
    await h.backend.params.put('/cas/both', { value: '0' });
    const results = await Promise.allSettled([h.backend.params.put('/cas/both', { value: '10', expectedVersion: 1 }), h.backend.params.put('/cas/both', { value: '20', expectedVersion: 1 })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0]!.value).toEqual({ version: 2 });
    expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ConditionFailedError);
    expect((await h.backend.params.get('/cas/both')).version).toBe(3);
  });

  it('an overwrite without a type reads the current type first, so a secret stays a SecureString', async () => {
    await h.backend.params.put('/o/s', { value: SECRET, type: 'SecureString' });
    await h.backend.params.put('/o/s', { value: `${SECRET}-2`, overwrite: true });
    expect(sent().slice(1)).toEqual([
      { command: 'GetParameter', input: { Name: '/o/s', WithDecryption: false } },
      { command: 'PutParameter', input: { Name: '/o/s', Value: `${SECRET}-2`, Type: 'SecureString', Overwrite: true } },
    ]);
    await h.backend.params.put('/o/new', { value: 'n', overwrite: true });
    expect(sent().at(-1)).toEqual({ command: 'PutParameter', input: { Name: '/o/new', Value: 'n', Type: 'String', Overwrite: true } });
  });

  it('sends nothing for a name or value the store refuses', async () => {
    expect(await rejection(h.backend.params.put('/aws/x', { value: 'v' }))).toBeInstanceOf(ValidationError);
    expect(await rejection(h.backend.params.put('/a/x', { value: 'x'.repeat(4097) }))).toBeInstanceOf(Error);
    expect(await rejection(h.backend.params.getByPath('app'))).toBeInstanceOf(ValidationError);
    expect(sent()).toEqual([]);
  });

  it("words a missing parameter as local does", async () => {
    const err = await rejection(h.backend.params.delete('/d/missing'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toMatch(/^Parameter \/d\/missing does not exist\./);
    expect(sent().map((r) => r.command)).toEqual(['DeleteParameter']);
    expect((await rejection(h.backend.params.get('/d/missing', { version: 2 }))).message).toMatch(/^Parameter \/d\/missing does not exist\./);
    await h.backend.params.put('/d/here', { value: 'v' });
    expect((await rejection(h.backend.params.get('/d/here', { version: 2 }))).message).toMatch(/^Parameter \/d\/here has no version 2\./);
  });

  it("translates SSM's ValidationException and throttling into Baton's errors", async () => {
    h.ssm.before = (command) => {
      if (command === 'GetParameter') throw new ThrottlingException({ $metadata: {}, Message: 'Rate exceeded', message: 'Rate exceeded' });
      if (command === 'GetParametersByPath') throw new ValidationException({ $metadata: {}, message: 'bad path' });
    };
    expect(await rejection(h.backend.params.get('/t/x'))).toBeInstanceOf(ThrottledError);
    expect(await rejection(h.backend.params.getByPath('/t'))).toBeInstanceOf(ValidationError);
  });

  it('keeps a secret out of a put error even when SSM quotes the value', async () => {
    h.ssm.before = (command, input) => {
      const value = (input as { Value?: string }).Value;
      if (command === 'PutParameter') throw new ValidationException({ $metadata: {}, message: `1 validation error detected: Value '${value}' at 'value' failed to satisfy constraint` });
    };
    const err = await rejection(h.backend.params.put('/s/x', { value: SECRET, type: 'SecureString' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('<value hidden>');
    for (const text of [err.message, JSON.stringify(err), String(err.stack), String((err as { cause?: unknown }).cause ?? '')]) expect(text).not.toContain('hunter2');
  });
});
