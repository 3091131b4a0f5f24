/**
 * Where the SecureString key comes from, in order:
 *   1. the `key` option (32 bytes);
 *   2. the environment variable named by `defaults.params.keyEnv` (base64 of 32 bytes);
 *   3. the key file `<state dir>/params.key` (base64 text, mode 0600), generated on first use.
 *
 * The option and the variable are checked when the store opens, so a wrong key fails at start and
 * not at the first secret. The key file is only read or made when a SecureString is first used, so
 * a project without secrets never gets one. It is written to a temporary file (flag 'wx', mode
 * 0600) and then hard-linked into place: the link fails if the file exists, so of two processes
 * starting at once exactly one key wins, and no reader can ever see a half-written key file.
 * The file holds base64 text so it can be copied into the environment variable as it is.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaults } from '../../../core/defaults.ts';
import { StoreError, ValidationError } from '../../../core/errors.ts';

const keyBytes = 32;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes a base64 key; undefined when it is not base64 of exactly 32 bytes. */
function decodeKey(text: string): { key?: Buffer; bytes: number } {
  const clean = text.trim();
  if (!base64.test(clean)) return { bytes: -1 };
  const key = Buffer.from(clean, 'base64');
  return key.length === keyBytes ? { key, bytes: key.length } : { bytes: key.length };
}

function describe(bytes: number): string {
  return bytes < 0 ? 'it is not base64' : `it decodes to ${bytes} bytes`;
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function readKeyFile(path: string): KeyObject {
  const { key, bytes } = decodeKey(readFileSync(path, 'utf8'));
  if (!key) {
    throw new StoreError(`The key file ${path} does not hold a base64 32-byte key: ${describe(bytes)}.`, {
      action: 'Restore the original key file (SecureString values written with it cannot be read with another key), or set BATON_PARAMS_KEY.',
    });
  }
  return createSecretKey(key);
}

function createKeyFile(path: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have taken bits away, never added any; make it exact
    writeSync(fd, `${randomBytes(keyBytes).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    syncDir(dirname(path));
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Makes the new directory entry durable; best effort where a directory cannot be opened (Windows). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here; the key file itself is already synced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function loadOrCreateKeyFile(dir: string): KeyObject {
  const path = join(dir, defaults.params.keyFile);
  try {
    return readKeyFile(path);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  try {
    createKeyFile(path);
  } catch (cause) {
    throw new StoreError(`Cannot create the SecureString key file ${path}.`, { action: 'Check that the state directory is writable, or set BATON_PARAMS_KEY.', cause });
  }
  return readKeyFile(path);
}

/**
 * Resolves the key source now (checking a given key or the environment variable) and returns a
 * function giving the key, which reads or creates the key file on its first call.
 */
export function keyLoader(dir: string, given: Buffer | undefined, env: NodeJS.ProcessEnv = process.env): () => KeyObject {
  if (given !== undefined) {
    if (!Buffer.isBuffer(given) || given.length !== keyBytes) {
      const size = Buffer.isBuffer(given) ? `${given.length} bytes` : `not a Buffer`;
      throw new ValidationError(`The params key given to the local backend is ${size}; it must be a Buffer of exactly 32 bytes.`, {
        action: "Pass crypto.randomBytes(32) (kept somewhere safe), or leave it out to use BATON_PARAMS_KEY or the generated key file.",
      });
    }
    const key = createSecretKey(Buffer.from(given));
    return () => key;
  }
  const fromEnv = env[defaults.params.keyEnv];
  if (fromEnv !== undefined && fromEnv !== '') {
    const { key, bytes } = decodeKey(fromEnv);
    if (!key) {
      throw new StoreError(`${defaults.params.keyEnv} must be base64 of exactly 32 bytes, but ${describe(bytes)}.`, {
        action: `Set it to the output of: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))", or unset it to use the key file in the state directory.`,
      });
    }
    const secret = createSecretKey(key);
    return () => secret;
  }
  let cached: KeyObject | undefined;
  return () => (cached ??= loadOrCreateKeyFile(dir));
}
