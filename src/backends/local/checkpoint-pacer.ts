/**
 * Paces WAL checkpoints across every connection of this process to one state file: at most one
 * per interval in all, whichever thread's commit comes first. Per connection, five worker threads
 * and the engine each ran their own, and each one's fsync stalled the thread that ran it.
 */
import { sharedBuffer } from './shared-memory.ts';

export class CheckpointPacer {
  constructor(
    private readonly last: BigInt64Array,
    private readonly intervalMs: number,
  ) {}

  static forFile(path: string, intervalMs: number): CheckpointPacer {
    return new CheckpointPacer(new BigInt64Array(sharedBuffer('checkpoints', path, 8)), intervalMs);
  }

  /** True for exactly one caller per interval: that caller should checkpoint now. */
  claim(now = Date.now()): boolean {
    const last = Atomics.load(this.last, 0);
    const at = BigInt(now);
    return at - last >= BigInt(this.intervalMs) && Atomics.compareExchange(this.last, 0, last, at) === last;
  }
}
