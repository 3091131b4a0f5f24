/**
 * A write lock shared by every thread of this process that opens the same state file.
 *
 * SQLite lets one connection write at a time. A connection that finds the file locked sleeps in
 * SQLite's busy handler (1, 2, 5, 10 ... ms), however soon the lock is freed; with handlers in
 * several worker threads all writing, most of the time went to those sleeps. Here a thread waits
 * on a shared word instead (Atomics.wait) and is woken the moment the holder commits.
 *
 * The lock is only a queue in front of SQLite's own lock, never what keeps data safe: a thread that
 * waited longer than `stealAfterMs` for the same holder (one that died mid-transaction, say) takes
 * the lock over, and SQLite still serializes the writes. Other processes are not in the queue; they
 * meet SQLite's busy handler as before.
 *
 * The words are shared-memory.ts buffers, so worker threads wait on the same memory.
 */
import { threadId } from 'node:worker_threads';
import { defaults } from '../../core/defaults.ts';
import { onThreadTerminated } from '../../core/thread-exit.ts';
import { sharedBuffer, sharedBuffers } from './shared-memory.ts';

// Atomics.waitAsync (Node 16+) is in lib ES2024; the project compiles against ES2023.
const waitAsync = (Atomics as unknown as { waitAsync: (cell: Int32Array, index: number, value: number, ms: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;

/** Slots of the shared words: tickets handed out, the ticket being served, and its holder (thread id + 1). */
const NEXT = 0;
const SERVING = 1;
const HOLDER = 2;

/**
 * A ticket lock: threads are served in the order they asked, so a thread that writes in a tight
 * loop cannot take the lock back again and again while another (the engine's main thread, serving
 * every trigger) waits.
 */
export class WriteLock {
  /**
   * @param owner what this thread writes into the holder word: its thread id + 1
   * @param stealAfterMs how long one ticket may be served before a waiter presumes its holder dead
   */
  constructor(
    private readonly cell: Int32Array,
    private readonly me = threadId + 1,
    private readonly stealAfterMs: number = defaults.store.writeLockStealAfterMs,
  ) {}

  /** The lock of the state file at `path` (an absolute path), shared with this process's threads. */
  static forFile(path: string): WriteLock {
    return new WriteLock(new Int32Array(sharedBuffer('write-locks', path, 3 * Int32Array.BYTES_PER_ELEMENT)));
  }

  /** Waits for the lock; false when this thread already holds it (a nested call must not release it). */
  acquire(): boolean {
    if (Atomics.load(this.cell, HOLDER) === this.me) return false;
    const ticket = Atomics.add(this.cell, NEXT, 1);
    let serving = Atomics.load(this.cell, SERVING);
    let since = performance.now();
    while (serving !== ticket) {
      Atomics.wait(this.cell, SERVING, serving, defaults.store.writeLockPollMs);
      const now = Atomics.load(this.cell, SERVING);
      if (now !== serving) {
        serving = now;
        since = performance.now();
      } else if (performance.now() - since > this.stealAfterMs) {
        // The ticket being served has been held too long: skip it (SQLite's own lock still holds).
        if (Atomics.compareExchange(this.cell, SERVING, serving, serving + 1) === serving) Atomics.notify(this.cell, SERVING);
        since = performance.now();
      }
    }
    Atomics.store(this.cell, HOLDER, this.me);
    return true;
  }

  /**
   * Takes the lock only when no thread holds it or waits for it, never waiting; false otherwise.
   * Not for a thread that may already hold it.
   */
  tryAcquire(): boolean {
    const serving = Atomics.load(this.cell, SERVING);
    // Free with no one queued is NEXT === SERVING: take that ticket, which is the one being served.
    if (Atomics.compareExchange(this.cell, NEXT, serving, serving + 1) !== serving) return false;
    Atomics.store(this.cell, HOLDER, this.me);
    return true;
  }

  /** Resolves when the lock next changes hands, or after `ms`, without blocking the thread. */
  async handedOn(ms: number): Promise<void> {
    const waited = waitAsync(this.cell, SERVING, Atomics.load(this.cell, SERVING), ms);
    if (waited.async) await waited.value;
  }

  release(): void {
    if (Atomics.compareExchange(this.cell, HOLDER, this.me, 0) !== this.me) return;
    Atomics.add(this.cell, SERVING, 1);
    Atomics.notify(this.cell, SERVING);
  }

  /** Frees the lock if the thread `id` holds it (called when that thread was terminated). */
  static releaseHeldBy(id: number): void {
    for (const buffer of sharedBuffers('write-locks').values()) new WriteLock(new Int32Array(buffer), id + 1).release();
  }
}

// The executor announces terminated threads (core/thread-exit.ts); free whatever lock they held.
onThreadTerminated((id) => WriteLock.releaseHeldBy(id));
