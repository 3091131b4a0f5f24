/**
 * The local parameter store: SSM Parameter Store semantics on SQLite.
 *
 * Every put writes a new version in one IMMEDIATE transaction that also checks the current version,
 * so compare-and-set (`expectedVersion`) holds across connections and processes: of two runs that
 * read version N and both try to write N+1, exactly one succeeds and the other gets a
 * ConditionFailedError. At most `defaults.params.maxHistory` versions are kept; older ones are
 * dropped as SSM does. StringList values are kept as the comma-separated string SSM stores.
 *
 * Non-hierarchical names ('cursor') have no parent path and are never returned by getByPath.
 */
import type { KeyObject } from 'node:crypto';
import { defaults } from '../../../core/defaults.ts';
import { ConditionFailedError, NotFoundError } from '../../../core/errors.ts';
import type { Param, ParamStore, ParamType, PutParamInput } from '../../../ports/params.ts';
import type { LocalContext } from '../context.ts';
import { decrypt, encrypt } from './crypto.ts';
import { keyLoader } from './key.ts';
import { validateName, validatePath } from '../../shared/params/names.ts';
import { validatePutInput, validateVersion } from '../../shared/params/validate.ts';
import { parentOf, subtreeRange } from './paths.ts';
import { prepareStatements, type Statements, type VersionRow } from './statements.ts';

export interface LocalParamStoreOptions {
  /** 32-byte SecureString key; default $BATON_PARAMS_KEY or the generated key file. */
  key?: Buffer;
}

export class LocalParamStore implements ParamStore {
  private readonly key: () => KeyObject;
  private readonly stmt: Statements;
  private readonly writeVersion: (name: string, input: PutParamInput) => number;
  private readonly remove: (name: string) => boolean;

  constructor(
    private readonly ctx: LocalContext,
    options: LocalParamStoreOptions = {},
  ) {
    this.key = keyLoader(ctx.dir, options.key);
    this.stmt = prepareStatements(ctx.db);
    this.writeVersion = ctx.db.transaction((name: string, input: PutParamInput) => this.putInTransaction(name, input)).immediate;
    this.remove = ctx.db
      .transaction((name: string) => {
        this.stmt.deleteVersions.run(name);
        return this.stmt.deleteHead.run(name).changes > 0;
      })
      .immediate;
  }

  async put(name: string, input: PutParamInput): Promise<{ version: number }> {
    validateName(name);
    validatePutInput(name, input);
    if (input.type === 'SecureString') this.key(); // read or create the key file outside the write lock
    return { version: this.writeVersion(name, input) };
  }

  async get(name: string, options: { withDecryption?: boolean; version?: number } = {}): Promise<Param> {
    validateName(name);
    if (options.version === undefined) {
      const row = this.stmt.latest.get(name);
      if (!row) throw notFound(name);
      return this.toParam(row, options.withDecryption);
    }
    const version = validateVersion(name, options.version);
    const row = this.stmt.atVersion.get(name, version);
    if (!row) throw this.versionNotFound(name, version);
    return this.toParam(row, options.withDecryption);
  }

  async find(name: string, options: { withDecryption?: boolean } = {}): Promise<Param | undefined> {
    validateName(name);
    const row = this.stmt.latest.get(name);
    return row && this.toParam(row, options.withDecryption);
  }

  async getByPath(path: string, options: { recursive?: boolean; withDecryption?: boolean } = {}): Promise<Param[]> {
    const p = validatePath(path);
    const rows = options.recursive ? this.subtree(p) : this.stmt.children.all(p);
    return rows.map((row) => this.toParam(row, options.withDecryption));
  }

  async delete(name: string): Promise<void> {
    validateName(name);
    if (!this.remove(name)) throw notFound(name);
  }

  async history(name: string, options: { withDecryption?: boolean } = {}): Promise<Param[]> {
    validateName(name);
    const rows = this.stmt.history.all(name);
    if (rows.length === 0) throw notFound(name);
    return rows.map((row) => this.toParam(row, options.withDecryption));
  }

  /** Runs inside the IMMEDIATE transaction: the check and the write see the same current version. */
  private putInTransaction(name: string, input: PutParamInput): number {
    const current = this.stmt.latest.get(name);
    const currentVersion = current?.version ?? 0;
    if (input.expectedVersion !== undefined) {
      if (currentVersion !== input.expectedVersion) throw versionMismatch(name, input.expectedVersion, currentVersion);
    } else if (current && input.overwrite !== true) {
      throw new ConditionFailedError(`Parameter ${name} already exists (version ${currentVersion}).`, {
        action: 'Pass overwrite: true to replace it, or expectedVersion to replace it only if it is still at the version you read.',
      });
    }
    // An overwrite without a type keeps the type, so a secret is never turned into clear text by accident.
    const type: ParamType = input.type ?? (current?.type as ParamType | undefined) ?? 'String';
    const description = input.description ?? current?.description ?? null;
    const stored = type === 'SecureString' ? encrypt(this.key(), input.value, name) : input.value;
    const version = currentVersion + 1;
    this.stmt.insertVersion.run(name, version, type, stored, description, this.ctx.clock.now());
    this.stmt.upsertHead.run(name, parentOf(name), version);
    if (version > defaults.params.maxHistory) this.stmt.trimVersions.run(name, version - defaults.params.maxHistory);
    return version;
  }

  private subtree(path: string): VersionRow[] {
    const { from, to } = subtreeRange(path);
    return this.stmt.subtree.all(from, to);
  }

  private toParam(row: VersionRow, withDecryption = false): Param {
    const secure = row.type === 'SecureString';
    return {
      name: row.name,
      type: row.type as ParamType,
      value: secure && withDecryption ? decrypt(this.key(), row.value, row.name, row.version) : row.value,
      version: row.version,
      lastModified: row.last_modified,
      ...(row.description !== null ? { description: row.description } : {}),
    };
  }

  private versionNotFound(name: string, version: number): NotFoundError {
    const { first, last } = this.stmt.keptRange.get(name) ?? { first: null, last: null };
    if (first === null || last === null) return notFound(name);
    return new NotFoundError(`Parameter ${name} has no version ${version}; the kept versions are ${first} to ${last}.`, {
      action: `Ask for a kept version, or leave version out for the latest (at most ${defaults.params.maxHistory} versions are kept).`,
    });
  }
}

function notFound(name: string): NotFoundError {
  return new NotFoundError(`Parameter ${name} does not exist.`, {
    action: 'Create it with put, or give it an initial value in the params namespace in baton.config.ts.',
  });
}

function versionMismatch(name: string, expected: number, actual: number): ConditionFailedError {
  const want = expected === 0 ? 'expected version 0 (not to exist yet)' : `expected version ${expected}`;
  const have = actual === 0 ? 'it does not exist (version 0)' : `its current version is ${actual}`;
  return new ConditionFailedError(`Compare-and-set on parameter ${name} failed: ${want}, but ${have}.`, {
    action: 'Another writer changed it first: read it again and decide whether to retry with the current version.',
  });
}
