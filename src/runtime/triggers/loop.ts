/** Small helpers shared by the trigger loops: clock pauses that end on stop, a semaphore, a task set. */
import type { Clock } from '../../ports/clock.ts';

/** Sleeps on the clock; resolves false (instead of rejecting) when the signal aborts first. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/** Counts permits; acquire waits for one (or resolves false once the signal aborts). */
export class Semaphore {
  private waiters: Array<() => void> = [];
  constructor(private free: number) {}

  get available(): number {
    return this.free;
  }

  async acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    if (this.free > 0) {
      this.free--;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

/** Keeps every started task's promise so none floats: `settled()` waits for all of them. */
export class TaskSet {
  private readonly tasks = new Set<Promise<void>>();

  get size(): number {
    return this.tasks.size;
  }

  add(task: Promise<void>): void {
    const tracked = task.finally(() => this.tasks.delete(tracked));
    // Failures are reported by the task itself; this keeps a rejection from going unhandled here.
    tracked.catch(() => undefined);
    this.tasks.add(tracked);
  }

  async settled(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}
