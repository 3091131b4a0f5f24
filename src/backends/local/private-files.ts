/**
 * The local state is private to its user: it holds run logs, params (SecureString ciphertexts and
 * their key), queue messages and objects. The state directory is made 0700 and the SQLite file
 * with its -wal and -shm companions 0600, as the params key file is. SQLite creates -wal and -shm
 * with the database file's mode, so creating `state.db` 0600 before SQLite opens it covers them;
 * a state made by an older Baton (0755 / 0644) is tightened when it is opened.
 *
 * Objects live under `<dir>/objects`, so the directory's 0700 keeps them private too.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Mode bits without the file type; chmod when they allow more than `mode` (ours only: another user's file is left alone). */
function tighten(path: string, mode: number): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o777 & ~mode) === 0) return;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return;
    chmodSync(path, mode);
  } catch {
    // Gone meanwhile, or a filesystem without modes: nothing to tighten.
  }
}

/** Creates the state directory 0700 (or tightens it) and the state file 0600 (or tightens it and its WAL files). */
export function preparePrivateState(dir: string, file: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  tighten(dir, privateDirMode);
  if (!existsSync(file)) closeSync(openSync(file, 'a', privateFileMode));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) tighten(path, privateFileMode);
}
