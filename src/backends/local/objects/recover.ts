/**
 * Recovery when the store opens: every write a crash interrupted is finished, and temporary files
 * no write will use are removed.
 *
 * - A put intent is rolled forward: its temporary file is complete (synced before the intent was
 *   recorded), so it is renamed into place if still there, then the metadata and events commit.
 * - A delete intent is finished: its row and events already committed; the file is unlinked.
 * - A temporary file without an intent is an upload that had not finished. It is removed when the
 *   process that wrote it is gone (its pid is in the name) or when it is older than
 *   defaults.objects.strayTempAgeMs; otherwise it may be a live upload of another process sharing
 *   this state directory and is left alone.
 *
 * Another process may be in the middle of the very write recovery finishes; both sides tolerate
 * that (see intents.ts). An intent that cannot be finished now (a permission problem, say) is left
 * in place: the next write or read of its key retries it and reports the error.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaults } from '../../../core/defaults.ts';
import { settleIntent } from './intents.ts';
import { tempOwner } from './layout.ts';
import type { ObjectsState } from './shared.ts';

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function recover(s: ObjectsState): void {
  const temps = readdirSync(s.layout.tmp);
  for (const intent of s.q.intents.all()) {
    try {
      settleIntent(s, intent);
    } catch {
      // left for the next access of the key, which reports the error (see the top of this file)
    }
  }
  const claimed = new Set(s.q.intentTmps.all().map((r) => r.tmp));
  const oldBefore = Date.now() - defaults.objects.strayTempAgeMs;
  for (const name of temps) {
    if (claimed.has(name)) continue;
    const path = join(s.layout.tmp, name);
    const owner = tempOwner(name);
    const stale = (owner !== undefined && !alive(owner)) || (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < oldBefore;
    if (stale) rmSync(path, { force: true, recursive: true });
  }
}
