/**
 * An in-memory SSM Parameter Store behind aws-sdk-client-mock: `mockClient(SSMClient)` with each
 * command the params store sends answered as SSM answers it. There is no SSM server to run on
 * 127.0.0.1, so the aws params tests use this, in files whose names say so (*.ssm-mock.test.ts).
 *
 * What it models: versions numbered per name from 1 (again from 1 after a delete), at most 100 kept
 * (SSM drops the oldest), Overwrite (ParameterAlreadyExists without it), an overwrite without Type
 * or Description keeping the previous ones, Type required to create, `name:version` selectors
 * (ParameterVersionNotFound), ParameterNotFound, names checked as SSM checks them
 * (ValidationException), GetParametersByPath pages of at most 10 (MaxResults over 10 is a
 * ValidationException) in no particular order, GetParameterHistory pages of at most 50, oldest
 * first. A SecureString read without decryption gives a stand-in ciphertext: random base64 made per
 * version (there is no KMS here), never the value.
 *
 * LastModifiedDate comes from the given clock, so the conformance suite's fake clock drives it.
 */
import { randomBytes } from 'node:crypto';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterVersionNotFound,
  PutParameterCommand,
  SSMClient,
  ValidationException,
  type DeleteParameterCommandInput,
  type GetParameterCommandInput,
  type GetParameterHistoryCommandInput,
  type GetParametersByPathCommandInput,
  type Parameter,
  type ParameterHistory,
  type ParameterType,
  type PutParameterCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Clock } from '../../src/ports/clock.ts';

interface Version {
  version: number;
  type: ParameterType;
  value: string;
  /** The stand-in for KMS ciphertext of a SecureString. */
  cipher?: string;
  keyId?: string;
  description?: string;
  lastModified: number;
}

const maxVersions = 100;
const maxByPath = 10;
const maxHistory = 50;
const meta = { $metadata: {} };

function validation(message: string): ValidationException {
  return new ValidationException({ ...meta, message });
}

/** SSM's name rules (see PutParameterRequest.Name). */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw validation('Parameter name must not be empty.');
  if (name.length > 1011) throw validation('Parameter name is too long.');
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) throw validation(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`);
  if (name.includes('/') && (!name.startsWith('/') || name.endsWith('/') || name.includes('//'))) throw validation('Parameter name: a hierarchical name must be fully qualified, with no empty level.');
  const levels = name.split('/').filter((s) => s !== '');
  if (levels.length > 15) throw validation('Parameter name exceeds the maximum hierarchy depth of 15 levels.');
  if (/^(aws|ssm)/i.test(levels[0] ?? '')) throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  return name;
}

/** Splits 'name:3' into the name and the version. */
function selector(raw: unknown): { name: string; version?: number } {
  const text = String(raw ?? '');
  const i = text.lastIndexOf(':');
  if (i < 0) return { name: checkName(text) };
  const version = Number(text.slice(i + 1));
  if (!Number.isSafeInteger(version) || version < 1) throw validation(`Invalid selector in ${text}.`);
  return { name: checkName(text.slice(0, i)), version };
}

function page<T>(items: T[], token: string | undefined, max: number): { items: T[]; next?: string } {
  const from = token ? Number(Buffer.from(token, 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
  if (!Number.isSafeInteger(from) || from < 0) throw validation('The NextToken is not valid.');
  const slice = items.slice(from, from + max);
  return from + max < items.length ? { items: slice, next: Buffer.from(`offset:${from + max}`).toString('base64') } : { items: slice };
}

export type SsmCommandName = 'PutParameter' | 'GetParameter' | 'GetParametersByPath' | 'GetParameterHistory' | 'DeleteParameter';

export class SsmMock {
  readonly client: AwsClientStub<SSMClient>;
  /** Runs before each command is answered: a test can make another writer act in between. */
  before?: (command: SsmCommandName, input: object) => Promise<void> | void;
  private readonly params = new Map<string, Version[]>();
  /** Creation order: the order SSM's by-path listing is not promised to follow, reversed. */
  private created: string[] = [];

  constructor(private readonly clock: Clock) {
    this.client = mockClient(SSMClient);
    this.client.on(PutParameterCommand).callsFake(async (input: PutParameterCommandInput) => (await this.hook('PutParameter', input), this.put(input)));
    this.client.on(GetParameterCommand).callsFake(async (input: GetParameterCommandInput) => (await this.hook('GetParameter', input), this.get(input)));
    this.client.on(GetParametersByPathCommand).callsFake(async (input: GetParametersByPathCommandInput) => (await this.hook('GetParametersByPath', input), this.byPath(input)));
    this.client.on(GetParameterHistoryCommand).callsFake(async (input: GetParameterHistoryCommandInput) => (await this.hook('GetParameterHistory', input), this.history(input)));
    this.client.on(DeleteParameterCommand).callsFake(async (input: DeleteParameterCommandInput) => (await this.hook('DeleteParameter', input), this.remove(input)));
  }

  /** Every request sent, in order: the command's name and its input as sent. */
  requests(): Array<{ command: string; input: Record<string, unknown> }> {
    return this.client.calls().map((c) => {
      const command = c.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
      return { command: command.constructor.name.replace(/Command$/, ''), input: command.input };
    });
  }

  /** What SSM holds for a name, plaintext included (for assertions on what was stored). */
  stored(name: string): readonly Version[] | undefined {
    return this.params.get(name);
  }

  restore(): void {
    this.client.restore();
  }

  private async hook(command: SsmCommandName, input: object): Promise<void> {
    await this.before?.(command, input);
  }

  private put(input: PutParameterCommandInput): { Version: number; Tier: 'Standard' } {
    const name = checkName(input.Name);
    if (typeof input.Value !== 'string' || input.Value === '') throw validation('Parameter value must not be empty.');
    if (Buffer.byteLength(input.Value, 'utf8') > 4096) throw validation('Standard tier parameters support a maximum parameter value of 4096 characters.');
    if (input.Type !== undefined && !['String', 'StringList', 'SecureString'].includes(input.Type)) throw validation(`Type ${input.Type} is not valid.`);
    const versions = this.params.get(name);
    const latest = versions?.at(-1);
    if (latest && input.Overwrite !== true) throw new ParameterAlreadyExists({ ...meta, message: 'The parameter already exists. To overwrite this request value, set the overwrite option in the request to true.' });
    if (!latest && input.Type === undefined) throw validation('A parameter type is required when you create a parameter.');
    const type = input.Type ?? latest!.type;
    const version: Version = {
      version: (latest?.version ?? 0) + 1,
      type,
      value: input.Value,
      lastModified: this.clock.now(),
      ...(type === 'SecureString' ? { cipher: randomBytes(48).toString('base64'), keyId: input.KeyId ?? 'alias/aws/ssm' } : {}),
      ...((input.Description ?? latest?.description) !== undefined ? { description: input.Description ?? latest?.description } : {}),
    };
    if (!versions) {
      this.params.set(name, [version]);
      this.created.push(name);
    } else {
      versions.push(version);
      if (versions.length > maxVersions) versions.shift();
    }
    return { Version: version.version, Tier: 'Standard' };
  }

  private get(input: GetParameterCommandInput): { Parameter: Parameter } {
    const { name, version } = selector(input.Name);
    const versions = this.params.get(name);
    if (!versions) throw new ParameterNotFound({ ...meta, message: '' });
    const found = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
    if (!found) throw new ParameterVersionNotFound({ ...meta, message: `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.` });
    return { Parameter: { ...this.shape(name, found, input.WithDecryption === true), ...(version !== undefined ? { Selector: `:${version}` } : {}) } };
  }

  private byPath(input: GetParametersByPathCommandInput): { Parameters: Parameter[]; NextToken?: string } {
    const path = String(input.Path ?? '');
    if (!path.startsWith('/')) throw validation('The parameter path must begin with a forward slash (/).');
    const max = input.MaxResults ?? maxByPath;
    if (max < 1 || max > maxByPath) throw validation(`1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`);
    const base = path === '/' ? '/' : `${path.replace(/\/$/, '')}/`;
    const names = [...this.created].reverse().filter((n) => n.startsWith(base) && (input.Recursive === true || !n.slice(base.length).includes('/')));
    const { items, next } = page(names, input.NextToken, max);
    return { Parameters: items.map((n) => this.shape(n, this.params.get(n)!.at(-1)!, input.WithDecryption === true)), ...(next ? { NextToken: next } : {}) };
  }

  private history(input: GetParameterHistoryCommandInput): { Parameters: ParameterHistory[]; NextToken?: string } {
    const name = checkName(input.Name);
    const versions = this.params.get(name);
    if (!versions) throw new ParameterNotFound({ ...meta, message: '' });
    const max = input.MaxResults ?? maxHistory;
    if (max < 1 || max > maxHistory) throw validation('MaxResults must be between 1 and 50.');
    const { items, next } = page(versions, input.NextToken, max);
    return {
      Parameters: items.map((v) => ({
        ...this.shape(name, v, input.WithDecryption === true),
        Labels: [],
        Tier: 'Standard',
        Policies: [],
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        ...(v.description !== undefined ? { Description: v.description } : {}),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  private remove(input: DeleteParameterCommandInput): object {
    const name = checkName(input.Name);
    if (!this.params.delete(name)) throw new ParameterNotFound({ ...meta, message: '' });
    this.created = this.created.filter((n) => n !== name);
    return {};
  }

  private shape(name: string, v: Version, withDecryption: boolean): Parameter {
    return {
      Name: name,
      Type: v.type,
      Value: v.type === 'SecureString' && !withDecryption ? v.cipher! : v.value,
      Version: v.version,
      LastModifiedDate: new Date(v.lastModified),
      ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: 'text',
    };
  }
}
