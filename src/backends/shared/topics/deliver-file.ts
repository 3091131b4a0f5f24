import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Appends notifications to file outboxes, one JSON line each. Each line is written with one
 * append (O_APPEND), so lines from several writers never interleave within a line; appends to the
 * same file from this process are chained, so lines land in the order deliveries started (publish
 * order). Relative paths are read from the state directory: a file outbox is state, like the
 * queues, and should not land wherever the process happened to start. Parent directories are
 * created as needed.
 */
export class FileAppender {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly base: string) {}

  append(path: string, notification: string): Promise<void> {
    const file = resolve(this.base, path);
    const previous = this.chains.get(file) ?? Promise.resolve();
    const next = previous.then(
      () => appendLine(file, notification),
      () => appendLine(file, notification),
    );
    this.chains.set(file, next);
    const forget = () => {
      if (this.chains.get(file) === next) this.chains.delete(file);
    };
    next.then(forget, forget);
    return next;
  }
}

async function appendLine(file: string, notification: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${notification}\n`, 'utf8');
}
