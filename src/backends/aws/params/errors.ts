/**
 * The params store's own errors, worded as the local backend words them (src/backends/local/params/
 * store.ts), so a user sees the same message on SQLite and on SSM. Messages give names and
 * versions, never values: a value may be a secret.
 */
import { defaults } from '../../../core/defaults.ts';
import { ConditionFailedError, NotFoundError } from '../../../core/errors.ts';

export function notFound(name: string): NotFoundError {
  return new NotFoundError(`Parameter ${name} does not exist.`, {
    action: 'Create it with put, or give it an initial value in the params namespace in baton.config.ts.',
  });
}

export function versionNotFound(name: string, version: number): NotFoundError {
  return new NotFoundError(`Parameter ${name} has no version ${version}.`, {
    action: `Ask for a kept version (history lists them), or leave version out for the latest (at most ${defaults.params.maxHistory} versions are kept).`,
  });
}

export function alreadyExists(name: string, current: number | undefined): ConditionFailedError {
  const at = current === undefined ? '' : ` (version ${current})`;
  return new ConditionFailedError(`Parameter ${name} already exists${at}.`, {
    action: 'Pass overwrite: true to replace it, or expectedVersion to replace it only if it is still at the version you read.',
  });
}

export function versionMismatch(name: string, expected: number, actual: number | undefined): ConditionFailedError {
  const want = expected === 0 ? 'expected version 0 (not to exist yet)' : `expected version ${expected}`;
  const have = actual === undefined ? 'it exists now' : actual === 0 ? 'it does not exist (version 0)' : `its current version is ${actual}`;
  return new ConditionFailedError(`Compare-and-set on parameter ${name} failed: ${want}, but ${have}.`, {
    action: 'Another writer changed it first: read it again and decide whether to retry with the current version.',
  });
}

/**
 * The read said `expected`, but SSM numbered this write `written`, not expected + 1: another writer
 * put a version between the read and this write. SSM cannot make a put conditional on a version,
 * so this value was written all the same and is (for now) the latest.
 */
export function racedWrite(name: string, expected: number, written: number): ConditionFailedError {
  return new ConditionFailedError(
    `Compare-and-set on parameter ${name} failed: expected version ${expected}, but another writer put a version after it was read; this value was written all the same, as version ${written} (SSM has no conditional put on a version).`,
    {
      action: 'Two writers raced: read the parameter again before going on, and make the work behind it idempotent (reprocessing from either writer\'s value must be safe), or keep to one writer at a time.',
    },
  );
}
