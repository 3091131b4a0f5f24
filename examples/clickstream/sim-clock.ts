// The demo's simulated time: a fake clock (time moves only when told) that can jump hours cheaply.
// The engine and the embedded backend sleep on it in short steps (a queue long poll looks every
// 100 ms); FakeClock.advance wakes each of those sleeps one after the other, settling promises in
// between, which over two simulated hours is hundreds of thousands of wake-ups. jump() moves the
// time at once and wakes every due sleeper together, so each loop just looks once at the new time.
// The demo only jumps while the pipeline is idle, and stops at every :20 so the schedule fires
// its tick on time rather than as a catch-up.
import type { Clock } from '../../src/ports/clock.ts';

interface Sleeper {
  at: number;
  resolve: () => void;
}

export class SimClock implements Clock {
  private sleepers = new Set<Sleeper>();

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      // The listener goes when the sleep ends, so long-lived signals do not collect one per sleep.
      const sleeper: Sleeper = {
        at: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sleeps now pending. */
  get pending(): number {
    return this.sleepers.size;
  }

  /** Moves the time to `t` (forward only) and wakes every sleeper now due. */
  async jump(t: number): Promise<void> {
    this.current = Math.max(this.current, t);
    for (const s of [...this.sleepers].sort((a, b) => a.at - b.at)) {
      if (s.at > this.current) break;
      this.sleepers.delete(s);
      s.resolve();
    }
    await new Promise<void>((r) => setImmediate(r));
  }

  advance(ms: number): Promise<void> {
    return this.jump(this.current + ms);
  }
}
