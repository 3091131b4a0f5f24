import type { Clock } from '../ports/clock.ts';

interface Sleeper {
  at: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told. `advance` resolves every sleeper whose time has come, in
 * time order, letting promise callbacks run between them so chained sleeps behave as they would.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      };
      // A sleep that ends on time lets go of the signal: loops sleep on one signal many times.
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const sleeper: Sleeper = { at: this.current + Math.max(0, ms), resolve: wake };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of pending sleeps (useful to wait until a consumer is parked). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by ms, waking sleepers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers[0];
      if (!next || next.at > target) break;
      this.sleepers.shift();
      this.current = Math.max(this.current, next.at);
      next.resolve();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Sets the time (forward only), waking sleepers on the way. */
  async set(time: number | Date): Promise<void> {
    const t = typeof time === 'number' ? time : time.getTime();
    await this.advance(Math.max(0, t - this.current));
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
