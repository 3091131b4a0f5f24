/**
 * The position a stream trigger may commit while its lanes are still working on one read: every
 * record of the read before the first record some lane has not finished (records the filter
 * skipped are not in the read: those after the last record handed over are read past again after
 * a restart, and committed with the rest at the end). It lets a batch that failed part-way checkpoint before its lowest failed record, as
 * Lambda does, so a restart during the retries does not hand the done records over again.
 */
import type { StreamRecord } from '../../ports/tables.ts';

export class StreamCheckpoint {
  /** Per lane, the index of its first record not done yet. */
  private readonly next: number[];
  private written = -Infinity;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly read: readonly StreamRecord[],
    private readonly lanes: readonly (readonly StreamRecord[])[],
    private readonly commit: (sequence: number) => Promise<void>,
  ) {
    this.next = lanes.map(() => 0);
  }

  /** Marks a lane's records up to and including `record` as done. */
  done(lane: number, record: StreamRecord): void {
    const records = this.lanes[lane]!;
    let i = this.next[lane]!;
    while (i < records.length && records[i]!.sequence <= record.sequence) i++;
    this.next[lane] = i;
  }

  /** The sequence every record up to which is done, or undefined when there is none. */
  position(): number | undefined {
    let pending = Infinity;
    this.lanes.forEach((records, lane) => {
      const r = records[this.next[lane]!];
      if (r && r.sequence < pending) pending = r.sequence;
    });
    let position: number | undefined;
    for (const r of this.read) {
      if (r.sequence >= pending) break;
      position = r.sequence;
    }
    return position;
  }

  /** Commits the position when it moved on since the last commit (commits one at a time, in order). */
  async save(): Promise<void> {
    const p = this.position();
    if (p === undefined || p <= this.written) return;
    this.written = p;
    this.writing = this.writing.catch(() => undefined).then(() => this.commit(p));
    await this.writing;
  }
}
