/**
 * The object store's directories under the state directory:
 *
 *   <dir>/objects/<bucket>/<key>          plain keys, at their identical relative path (keys.ts)
 *   <dir>/objects/.escaped/<bucket>/...   keys a directory tree cannot hold as they are (keys.ts)
 *   <dir>/objects/.tmp/<pid>-<token>-<n>  uploads in progress; same filesystem, so rename is atomic
 *
 * Temporary files are named after the writing process's pid, so recovery can tell a dead
 * process's leftovers (removed at once) from a live process's upload (left alone until old).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { escapedDir } from './keys.ts';

export interface Layout {
  /** <dir>/objects */
  root: string;
  /** <dir>/objects/.tmp */
  tmp: string;
}

export function makeLayout(dir: string): Layout {
  const root = join(dir, 'objects');
  const layout = { root, tmp: join(root, '.tmp') };
  mkdirSync(layout.tmp, { recursive: true });
  return layout;
}

/** Absolute path of a path relative to the objects root. */
export function absolute(layout: Layout, relative: string): string {
  return join(layout.root, ...relative.split('/'));
}

/** The directory a bucket's plain keys live in. */
export function bucketDir(layout: Layout, bucket: string): string {
  return join(layout.root, bucket);
}

/** The directory above which empty-directory cleanup stops for an object at `relative`. */
export function stopDir(layout: Layout, relative: string): string {
  const [first, second] = relative.split('/');
  return first === escapedDir ? join(layout.root, escapedDir, second ?? '') : join(layout.root, first ?? '');
}

const token = randomBytes(4).toString('hex');
let counter = 0;

/** A fresh temporary file name (relative to layout.tmp) for this process. */
export function tempName(): string {
  return `${process.pid}-${token}-${++counter}`;
}

/** The pid a temporary file name was made by, if it has our shape. */
export function tempOwner(name: string): number | undefined {
  const match = /^(\d+)-[0-9a-f]+-\d+$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Removes the empty directories from the one holding `file` up to, not including, `stop`. */
export function removeEmptyParents(file: string, stop: string): void {
  let dir = dirname(file);
  while (dir.length > stop.length && dir.startsWith(stop + sep)) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (another object lives here), or already gone
    }
    dir = dirname(dir);
  }
}
