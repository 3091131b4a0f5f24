import type { Clock } from '../../ports/clock.ts';
import type { Catalog } from '../catalog/index.ts';

/** When an hour's source files are all there. Late files for an already compacted hour are merged whatever the rule. */
export type Completeness =
  /** This many files for the hour. */
  | { expected: number }
  /** These keys (relative to the source prefix) for the hour, given its start (UTC ms). */
  | { names: (hourStart: number) => string[] }
  /** The watermark (default: the clock's now) is past the hour's end plus the grace. */
  | { graceMs: number; watermark?: number };

export interface CompactOptions {
  source: { bucket: string; prefix: string };
  destination: { bucket: string; prefix: string };
  period: 'hour';
  completeness: Completeness;
  /**
   * Split an hour's output into files of about this many bytes (checked after each row group of
   * 122,880 rows, so a file can overshoot by one row group). @defaultValue defaults.data.targetFileSize
   */
  targetFileSize?: number;
  /** Which hour a source key belongs to (UTC ms of its start); default hours.ts `hourFromKey`. */
  hourOf?: (key: string) => number | undefined;
  /** Only files ending with this are sources. @defaultValue '.parquet' */
  suffix?: string;
  clock?: Clock;
  /** Registers each compacted hour as a partition of this catalog table (created if needed). */
  catalog?: { catalog: Catalog; table: string };
  /** Called at each protocol step (tests stop a run between steps to check recovery). */
  onStep?: (step: CompactStep, hour: string) => void | Promise<void>;
}

export type CompactStep = 'written' | 'committed' | 'registered' | 'deleted';

export interface HourResult {
  /** 'YYYY-MM-DDTHHh'. */
  hour: string;
  status: 'compacted' | 'merged-late' | 'up-to-date' | 'waiting';
  /** Why the hour waits. */
  reason?: string;
  /** Source files merged in this run. */
  merged: number;
  /** Data files of the hour after this run (keys in the destination bucket). */
  files: string[];
  rows: number;
}

export interface CompactResult {
  hours: HourResult[];
  /** Source keys no hour could be read from (the naming rule did not match). */
  skipped: string[];
}
