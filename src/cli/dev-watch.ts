/**
 * Watches a set of files for `baton dev`'s hot reload, debounced: the folders that hold them are
 * watched (fs.watch), not the files, so a save that replaces a file (write a copy, rename it over:
 * what most editors do) is seen as well as a write in place. Events for a file are gathered for
 * `debounceMs` after the last one, then the file's content is hashed and compared with what it was:
 * only files whose content changed (or that appeared or went) are reported, once per burst.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function contentHash(file: string): string {
  try {
    return createHash('sha1').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}

export class FileWatch {
  private readonly dirs = new Map<string, { watcher: FSWatcher | undefined; names: Set<string> }>();
  private readonly hashes = new Map<string, string>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onChange: (files: string[]) => void,
    private readonly debounceMs: number,
  ) {}

  /** The files watched now (absolute paths). */
  get files(): string[] {
    return [...this.hashes.keys()];
  }

  /** Watches exactly these files (absolute paths) from now on; a file already watched keeps its last content as the baseline. */
  set(files: Iterable<string>): void {
    if (this.closed) return;
    const wanted = new Set(files);
    for (const file of [...this.hashes.keys()]) if (!wanted.has(file)) this.hashes.delete(file);
    for (const file of wanted) if (!this.hashes.has(file)) this.hashes.set(file, contentHash(file));
    const byDir = new Map<string, Set<string>>();
    for (const file of wanted) {
      const d = dirname(file);
      if (!byDir.has(d)) byDir.set(d, new Set());
      byDir.get(d)!.add(basename(file));
    }
    for (const [d, entry] of this.dirs) {
      if (byDir.has(d)) continue;
      entry.watcher?.close();
      this.dirs.delete(d);
    }
    for (const [d, names] of byDir) {
      const entry = this.dirs.get(d);
      if (entry) entry.names = names;
      else this.dirs.set(d, { watcher: this.watchDir(d), names });
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const { watcher } of this.dirs.values()) watcher?.close();
    this.dirs.clear();
  }

  private watchDir(d: string): FSWatcher | undefined {
    try {
      const w = watch(d, { persistent: false }, (_event, name) => this.onEvent(d, name === null ? undefined : String(name)));
      w.on('error', () => undefined); // the folder went away: its files read as missing on the next event
      return w;
    } catch {
      return undefined; // a folder that does not exist (yet): nothing to watch
    }
  }

  private onEvent(d: string, name: string | undefined): void {
    const entry = this.dirs.get(d);
    if (!entry || this.closed) return;
    if (name !== undefined && !entry.names.has(name)) return;
    for (const n of name !== undefined ? [name] : entry.names) this.pending.add(join(d, n));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
    this.timer.unref();
  }

  private flush(): void {
    const changed: string[] = [];
    for (const file of this.pending) {
      const before = this.hashes.get(file);
      if (before === undefined) continue;
      const now = contentHash(file);
      if (now === before) continue;
      this.hashes.set(file, now);
      changed.push(file);
    }
    this.pending.clear();
    if (changed.length > 0 && !this.closed) this.onChange(changed);
  }
}
