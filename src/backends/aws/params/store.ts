/**
 * The aws backend's parameter store: the ParamStore port over SSM Parameter Store.
 *
 * Names are the app's own paths (no prefix: a prefix would break the hierarchy users address), and
 * are checked before any request with the local store's rules and wording, so a name that fails on
 * AWS fails the same way on SQLite. Every put is one PutParameter; SSM numbers the versions. A
 * SecureString is sent to SSM as Type SecureString and encrypted there by KMS, with the account's
 * aws/ssm key unless a key id is configured (`paramsKeyId` / BATON_AWS_PARAMS_KEY_ID); this store
 * never encrypts, and a get without `withDecryption` returns SSM's ciphertext as SSM does.
 *
 * Compare-and-set: `expectedVersion: 0` is PutParameter with Overwrite=false, which SSM refuses
 * atomically for an existing name (ParameterAlreadyExists -> ConditionFailedError). SSM has no put
 * conditional on a version, so `expectedVersion: n > 0` reads the current version (GetParameter),
 * refuses if it is not n, then puts with Overwrite and checks that SSM numbered the write n + 1.
 * LIMIT: when another writer puts between that read and this write, SSM numbers this write n + 2 or
 * later; the caller gets ConditionFailedError saying so, but the value is written and is the latest
 * until someone writes again: SSM cannot undo a put. So of two runs advancing one checkpoint at
 * once exactly one is told it won, but the stored value may be the loser's. What to do: keep to one
 * writer per checkpoint (a schedule that does not overlap, reserved concurrency 1), or make the
 * work behind the checkpoint idempotent (the cursor pattern: a run that loses re-reads the cursor
 * and reprocesses from it, which is safe when reprocessing is), or keep a checkpoint that needs a
 * strict compare-and-set in a table (DynamoDB's conditional put) instead.
 *
 * Left out (for the README's backend table):
 * - `description` on get, find and getByPath: SSM's GetParameter and GetParametersByPath do not
 *   return it, and DescribeParameters per read would double the requests under a low rate limit;
 *   history returns it for every version.
 * - a strict compare-and-set on a version (above): the race is reported, not prevented.
 * - tiers, policies, labels, tags, DataType and AllowedPattern (as the port): every parameter is
 *   Standard, so values are limited to 4 KB and at most 10,000 parameters per region.
 * - the kept-version range in "has no version" errors (it would cost history requests).
 * - SSM deletes the oldest version past 100 itself; a version labelled outside Baton blocks that
 *   and the put fails (ParameterMaxVersionLimitExceeded), where local would drop it.
 *
 * IAM: ssm:PutParameter, ssm:GetParameter (compare-and-set, overwrite without a type, error
 * messages), ssm:GetParametersByPath, ssm:GetParameterHistory, ssm:DeleteParameter on the app's
 * paths; with a customer KMS key, kms:Encrypt for puts and kms:Decrypt for reads with decryption.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  type Parameter,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { BatonError, StoreError } from '../../../core/errors.ts';
import type { Param, ParamStore, ParamType, PutParamInput } from '../../../ports/params.ts';
import { call } from '../errors.ts';
import type { AwsContext } from '../context.ts';
import { validateName, validatePath } from '../../shared/params/names.ts';
import { validatePutInput, validateVersion } from '../../shared/params/validate.ts';
import { errorName, toParam } from './convert.ts';
import { alreadyExists, notFound, racedWrite, versionMismatch, versionNotFound } from './errors.ts';

export interface AwsParamStoreOptions {
  /** KMS key id, ARN or alias for SecureString values; default the account's aws/ssm key. */
  keyId?: string;
}

type Missing = 'ParameterNotFound' | 'ParameterVersionNotFound';

function existing(read: Parameter | Missing): Parameter | undefined {
  return typeof read === 'string' ? undefined : read;
}

/** SSM's page limits: GetParametersByPath returns at most 10, GetParameterHistory at most 50. */
const byPathPage = 10;
const historyPage = 50;

export class AwsParamStore implements ParamStore {
  constructor(
    private readonly ctx: AwsContext,
    private readonly options: AwsParamStoreOptions = {},
  ) {}

  async put(name: string, input: PutParamInput): Promise<{ version: number }> {
    validateName(name);
    validatePutInput(name, input);
    try {
      return await this.write(name, input);
    } catch (err) {
      throw hideValue(err, input.value, input.type);
    }
  }

  async get(name: string, options: { withDecryption?: boolean; version?: number } = {}): Promise<Param> {
    validateName(name);
    const version = options.version === undefined ? undefined : validateVersion(name, options.version);
    const found = await this.read(name, options.withDecryption === true, version);
    if (found === 'ParameterNotFound') throw notFound(name);
    if (found === 'ParameterVersionNotFound') throw versionNotFound(name, version ?? 0);
    return toParam(found, name);
  }

  async find(name: string, options: { withDecryption?: boolean } = {}): Promise<Param | undefined> {
    validateName(name);
    const found = await this.read(name, options.withDecryption === true);
    return typeof found === 'string' ? undefined : toParam(found, name);
  }

  async getByPath(path: string, options: { recursive?: boolean; withDecryption?: boolean } = {}): Promise<Param[]> {
    const p = validatePath(path);
    const ssm = this.ctx.clients.ssm;
    const params: Param[] = [];
    let token: string | undefined;
    do {
      const page = await call(this.ctx.at('ssm', 'getByPath', `path ${p}`), () =>
        ssm.send(
          new GetParametersByPathCommand({
            Path: this.ctx.names.param(p),
            Recursive: options.recursive === true,
            WithDecryption: options.withDecryption === true,
            MaxResults: byPathPage,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const found of page.Parameters ?? []) params.push(toParam(found));
      token = page.NextToken;
    } while (token);
    // SSM promises no order; the port's is by name, as local.
    return params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(name: string): Promise<void> {
    validateName(name);
    try {
      await call(this.ctx.at('ssm', 'delete', `parameter ${name}`), () => this.ctx.clients.ssm.send(new DeleteParameterCommand({ Name: this.ctx.names.param(name) })));
    } catch (err) {
      if (errorName(err) === 'ParameterNotFound') throw notFound(name);
      throw err;
    }
  }

  async history(name: string, options: { withDecryption?: boolean } = {}): Promise<Param[]> {
    validateName(name);
    const ssm = this.ctx.clients.ssm;
    const versions: Param[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await call(this.ctx.at('ssm', 'history', `parameter ${name}`), () =>
          ssm.send(
            new GetParameterHistoryCommand({
              Name: this.ctx.names.param(name),
              WithDecryption: options.withDecryption === true,
              MaxResults: historyPage,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        );
        for (const found of page.Parameters ?? []) versions.push(toParam(found, name));
        token = page.NextToken;
      } while (token);
    } catch (err) {
      if (errorName(err) === 'ParameterNotFound') throw notFound(name);
      throw err;
    }
    if (versions.length === 0) throw notFound(name);
    return versions.sort((a, b) => a.version - b.version);
  }

  /** The latest or the given version, or which of the two SSM does not have. */
  private async read(name: string, withDecryption: boolean, version?: number): Promise<Parameter | Missing> {
    const selector = version === undefined ? '' : `:${version}`;
    try {
      const out = await call(this.ctx.at('ssm', 'get', `parameter ${name}`), () =>
        this.ctx.clients.ssm.send(new GetParameterCommand({ Name: `${this.ctx.names.param(name)}${selector}`, WithDecryption: withDecryption })),
      );
      if (!out.Parameter) throw new StoreError(`ssm get of parameter ${name} returned no parameter.`);
      return out.Parameter;
    } catch (err) {
      const missing = errorName(err);
      if (missing === 'ParameterNotFound' || missing === 'ParameterVersionNotFound') return missing;
      throw err;
    }
  }

  private async write(name: string, input: PutParamInput): Promise<{ version: number }> {
    const expected = input.expectedVersion;
    if (expected === 0) {
      const written = await this.send(name, input, input.type ?? 'String', false).catch(async (err: unknown) => {
        if (errorName(err) !== 'ParameterAlreadyExists') throw err;
        throw versionMismatch(name, 0, await this.currentVersion(name));
      });
      return { version: written };
    }
    if (expected !== undefined) {
      const current = existing(await this.read(name, false));
      const currentVersion = current?.Version ?? 0;
      if (currentVersion !== expected) throw versionMismatch(name, expected, currentVersion);
      const written = await this.send(name, input, input.type ?? (current?.Type as ParamType | undefined) ?? 'String', true);
      if (written !== expected + 1) throw racedWrite(name, expected, written);
      return { version: written };
    }
    if (input.overwrite === true) {
      // SSM needs a type to create; an existing parameter keeps its own unless another is given.
      const type = input.type ?? (existing(await this.read(name, false))?.Type as ParamType | undefined) ?? 'String';
      return { version: await this.send(name, input, type, true) };
    }
    const written = await this.send(name, input, input.type ?? 'String', false).catch(async (err: unknown) => {
      if (errorName(err) !== 'ParameterAlreadyExists') throw err;
      throw alreadyExists(name, await this.currentVersion(name));
    });
    return { version: written };
  }

  /** One PutParameter; returns the version SSM gave the write. */
  private async send(name: string, input: PutParamInput, type: ParamType, overwrite: boolean): Promise<number> {
    const request: PutParameterCommandInput = {
      Name: this.ctx.names.param(name),
      Value: input.value,
      Type: type,
      Overwrite: overwrite,
      ...(input.description !== undefined ? { Description: input.description } : {}),
      ...(type === 'SecureString' && this.options.keyId ? { KeyId: this.options.keyId } : {}),
    };
    const out = await call(this.ctx.at('ssm', 'put', `parameter ${name}`), () => this.ctx.clients.ssm.send(new PutParameterCommand(request)));
    if (out.Version === undefined) throw new StoreError(`ssm put of parameter ${name} returned no version.`);
    return out.Version;
  }

  /** The current version for an error message; undefined when it cannot be read. */
  private async currentVersion(name: string): Promise<number | undefined> {
    try {
      return existing(await this.read(name, false))?.Version ?? 0;
    } catch {
      return undefined;
    }
  }
}

/**
 * A failed put's error without the value in it: AWS validation messages can quote the input, and
 * the value may be a secret. The SDK error (cause) is dropped when it quotes the value.
 */
function hideValue(err: unknown, value: string, type: ParamType | undefined): unknown {
  // A short plain value could match innocent text (a version number); a secret is hidden however short.
  if (!(err instanceof BatonError) || (value.length < 4 && type !== 'SecureString')) return err;
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `${cause.message} ${JSON.stringify(cause)}` : '';
  if (!err.message.includes(value) && !causeText.includes(value)) return err;
  const Ctor = err.constructor as new (message: string) => BatonError;
  return new Ctor(err.message.split(value).join('<value hidden>'));
}
